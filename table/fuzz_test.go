package table_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/table"
)

// maxFuzzInput caps fuzz inputs: schemas and specs are typed by people.
const maxFuzzInput = 1 << 10

var schemaSeeds = []string{
	"id BIGINT NOT NULL, name VARCHAR, amount DECIMAL(18,2), tags VARCHAR[]",
	"a int, b integer null, c smallint, d tinyint, e long, f real, g double precision",
	`"weird ""name""" TEXT, "x.y" DATE, "1st" TIME`,
	"ts TIMESTAMP WITH TIME ZONE, t2 timestamptz, t3 TIMESTAMP_NS, t4 timestamp_ntz, t5 DATETIME",
	"u UUID, b BLOB, c BYTEA, v VARBINARY, n NUMERIC, d DECIMAL(38), s VARCHAR(20), m INT[][]",
	"ok BOOL,\n\tx FLOAT8\r\n",
	"id BIGINT,",
	"id BIGINT NOT",
	"id DECIMAL(39,2)",
	"ID int, id int",
	"\"unterminated",
	"",
	"x VARCHAR(",
	"é INT",
	`"" INT`,
	"a INT NOT NULL NULL",
}

func FuzzParseSchema(f *testing.F) {
	for _, s := range schemaSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > maxFuzzInput {
			return
		}
		cols, err := table.ParseSchema(s)
		if err != nil {
			var se *table.SchemaSyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseSchema(%q) error %T %v, want *SchemaSyntaxError", s, err, err)
			}
			if se.Offset < 0 || se.Offset > len(s) {
				t.Fatalf("ParseSchema(%q): error offset %d outside the input", s, se.Offset)
			}
			_ = err.Error()
			return
		}
		if len(cols) == 0 {
			t.Fatalf("ParseSchema(%q) = no columns and no error", s)
		}
		sc, err := table.NewSchema(cols)
		if err != nil {
			t.Fatalf("ParseSchema(%q) accepted columns that NewSchema rejects: %v", s, err)
		}
		text := table.FormatSchema(sc)
		back, err := table.ParseSchema(text)
		if err != nil {
			t.Fatalf("ParseSchema(%q) = %v; FormatSchema gives %q, which does not parse: %v", s, cols, text, err)
		}
		if len(back) != len(cols) {
			t.Fatalf("ParseSchema(%q): %d columns, %d after FormatSchema %q", s, len(cols), len(back), text)
		}
		for i := range cols {
			if back[i].Name != cols[i].Name || back[i].Required != cols[i].Required || !back[i].Type.Equals(cols[i].Type) {
				t.Fatalf("ParseSchema(%q) column %d = %+v; after FormatSchema %q it is %+v", s, i, cols[i], text, back[i])
			}
		}
	})
}

var specSeeds = []string{
	"region, day(ts), bucket(16, id), truncate(4, name)",
	"years(ts), MONTHS(ts), hours(ts), identity(x)",
	"bucket(0, id)",
	"bucket(16)",
	"day(ts",
	"foo(x)",
	"a,,b",
	"truncate(+5, name)",
	" ",
	"x)",
	"bucket(1048577, id)",
	"day((ts))",
}

func FuzzParsePartitionSpec(f *testing.F) {
	for _, s := range specSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > maxFuzzInput {
			return
		}
		fields, err := table.ParsePartitionSpec(s)
		if err != nil {
			return
		}
		strs := make([]string, len(fields))
		for i, fl := range fields {
			strs[i] = fl.String()
			back, err := table.ParsePartitionSpec(strs[i])
			if err != nil || len(back) != 1 || back[0] != fl {
				t.Fatalf("ParsePartitionSpec(%q) field %d = %+v; its String %q parses to %+v, %v", s, i, fl, strs[i], back, err)
			}
		}
		joined := strings.Join(strs, ", ")
		back, err := table.ParsePartitionSpec(joined)
		if err != nil || len(back) != len(fields) {
			t.Fatalf("ParsePartitionSpec(%q) = %+v; %q parses to %+v, %v", s, fields, joined, back, err)
		}
	})
}
