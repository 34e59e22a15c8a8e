package table_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/table"
)

func TestParseSchemaErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		offset   int      // byte offset the error points at
		pos      string   // how the message names the position
		want     []string // what it says: the problem and the fix
	}{
		{"empty", "  ", 2, "column 3", []string{"empty schema", `write columns like "id BIGINT, name VARCHAR"`}},
		{"missing type", "id", 2, "column 3", []string{"missing type", `write e.g. "name VARCHAR"`}},
		{"unknown type", "id BIGINT, name VARCHR", 16, "column 17", []string{`unknown type "VARCHR"`, "use BOOLEAN, INT, BIGINT"}},
		{"unknown type after multibyte", `"é" INT, "ü" STRNG`, 15, "column 14", []string{`unknown type "STRNG"`}},
		{"duplicate", "id INT, ID BIGINT", 8, "column 9", []string{`duplicate column "ID"`, "case-insensitive", "rename or remove one"}},
		{"trailing comma", "id INT, ", 8, "column 9", []string{"trailing ','", "remove it or add a column"}},
		{"missing comma", "id INT name VARCHAR", 7, "column 8", []string{"want ',' between columns", `got "name VARCH"`, "separate column definitions with commas"}},
		{"NOT without NULL", "id INT NOT", 10, "column 11", []string{"want NULL after NOT", "write NOT NULL"}},
		{"digit name", "1st INT", 0, "column 1", []string{`column name "1st" starts with a digit`, `quote it as "1st"`}},
		{"bad name char", "id INT, -x INT", 8, "column 9", []string{`want a column name, got "-"`, "quote the name"}},
		{"unterminated quote", `id INT, "na me INT`, 8, "column 9", []string{"unterminated quoted column name", `close it with "`}},
		{"empty quoted name", `"" INT`, 2, "column 3", []string{"empty column name", "between the quotes"}},
		{"type is punctuation", "id (INT)", 3, "column 4", []string{`want a type name, got "(INT)"`, `write e.g. "name VARCHAR"`}},
		{"decimal range", "amount DECIMAL(40,2)", 7, "column 8", []string{"DECIMAL(40,2) out of range", "precision must be 1..38"}},
		{"decimal scale", "amount DECIMAL(4,5)", 7, "column 8", []string{"DECIMAL(4,5) out of range", "scale at most the precision"}},
		{"decimal not closed", "amount DECIMAL(18,2", 19, "column 20", []string{"want ')' to close DECIMAL", "DECIMAL(18,2)"}},
		{"decimal no number", "amount DECIMAL(,2)", 15, "column 16", []string{"want a number in DECIMAL(...)", "DECIMAL(18,2)"}},
		{"varchar huge", "s VARCHAR(99999999)", 10, "column 11", []string{`number "99999999" in VARCHAR(...) out of range`, "lengths are not enforced"}},
		{"varchar not closed", "s VARCHAR(10", 12, "column 13", []string{"want ')' after the VARCHAR length", "VARCHAR(20)"}},
		{"timestamp with", "ts TIMESTAMP WITH ZONE", 18, "column 19", []string{"want TIMESTAMP WITH TIME ZONE", "use TIMESTAMPTZ"}},
		{"second line", "id BIGINT,\n  name VARCHR", 18, "line 2, column 8", []string{`unknown type "VARCHR"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cols, err := table.ParseSchema(tc.in)
			var se *table.SchemaSyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseSchema(%q) = %v, %v; want a *SchemaSyntaxError", tc.in, cols, err)
			}
			if se.Offset != tc.offset {
				t.Errorf("offset = %d, want %d", se.Offset, tc.offset)
			}
			msg := err.Error()
			if prefix := "schema " + strconv.Quote(tc.in) + ": " + tc.pos + ": "; !strings.HasPrefix(msg, prefix) {
				t.Errorf("error %q\ndoes not start with %q", msg, prefix)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q\ndoes not say %q", msg, w)
				}
			}
		})
	}
}

func TestParseSchemaValid(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // FormatSchema of the result
	}{
		{"id BIGINT NOT NULL, name VARCHAR", "id BIGINT NOT NULL, name VARCHAR"},
		{"a int, b Integer NULL, c smallint, d long, e real, f double precision", "a INTEGER, b INTEGER, c INTEGER, d BIGINT, e FLOAT, f DOUBLE"},
		{"amount DECIMAL(18,2), n NUMERIC, p DECIMAL(5)", "amount DECIMAL(18,2), n DECIMAL(18,3), p DECIMAL(5,0)"},
		{"tags VARCHAR[], m INT [] [], s VARCHAR(20)", "tags VARCHAR[], m INTEGER[][], s VARCHAR"},
		{"ts TIMESTAMP WITH TIME ZONE, t TIMESTAMP, n TIMESTAMP_NS, d DATE, x TIME", "ts TIMESTAMPTZ, t TIMESTAMP, n TIMESTAMP_NS, d DATE, x TIME"},
		{`"first name" TEXT, "say ""hi""" STRING, u UUID, b BYTEA`, `"first name" VARCHAR, "say ""hi""" VARCHAR, u UUID, b BLOB`},
		{"\n\tid BIGINT,\r\n\tok BOOL\n", "id BIGINT, ok BOOLEAN"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			cols, err := table.ParseSchema(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			sc, err := table.NewSchema(cols)
			if err != nil {
				t.Fatal(err)
			}
			if got := table.FormatSchema(sc); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestParsePartitionSpecErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		field    int
		pos      string
		want     []string
	}{
		{"unknown transform", "region, days(ts), weekly(ts)", 3, "column 19, field 3", []string{`unknown transform "weekly"`, "use identity, year, month, day, hour, bucket(n, col) or truncate(w, col)"}},
		{"empty field", "a,,b", 2, "column 3, field 2", []string{"empty field", "separate fields with single commas"}},
		{"trailing comma", "a, ", 2, "column 3, field 2", []string{"empty field"}},
		{"not a name", "a, b c", 2, "column 4, field 2", []string{`"b c" is not a column name`, "day(ts)"}},
		{"missing paren", "day(ts", 1, "column 1, field 1", []string{`"day(ts": missing ')'`, "write e.g. day(ts)"}},
		{"day of two", "day(a, b)", 1, "column 1, field 1", []string{"day takes one column", "day(ts)"}},
		{"bucket without width", "bucket(id)", 1, "column 1, field 1", []string{"bucket takes a width and a column", "bucket(16, id)"}},
		{"bucket zero", "  bucket(0, id)", 1, "column 3, field 1", []string{`bucket width "0" must be a whole number from 1 to 1048576`, "bucket(16, id)"}},
		{"truncate word width", "truncate(w, name)", 1, "column 1, field 1", []string{`truncate width "w"`, "truncate(16, name)"}},
		{"bucket bad column", "bucket(4, 9x)", 1, "column 1, field 1", []string{`"9x" is not a column name`, "bucket(4, id)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := table.ParsePartitionSpec(tc.in)
			var pe *table.PartitionSpecError
			if !errors.As(err, &pe) {
				t.Fatalf("ParsePartitionSpec(%q) = %v, %v; want a *PartitionSpecError", tc.in, got, err)
			}
			if pe.Field != tc.field {
				t.Errorf("field = %d, want %d", pe.Field, tc.field)
			}
			msg := err.Error()
			if prefix := "partition spec " + strconv.Quote(tc.in) + ": " + tc.pos + ": "; !strings.HasPrefix(msg, prefix) {
				t.Errorf("error %q\ndoes not start with %q", msg, prefix)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q\ndoes not say %q", msg, w)
				}
			}
		})
	}
}

func TestParsePartitionSpecValid(t *testing.T) {
	got, err := table.ParsePartitionSpec(" region, Days(ts), bucket( 16 , id ), truncate(4, name), identity(x), hours(ts) ")
	if err != nil {
		t.Fatal(err)
	}
	want := []table.PartitionField{
		{Column: "region", Transform: "identity"},
		{Column: "ts", Transform: "day"},
		{Column: "id", Transform: "bucket", Width: 16},
		{Column: "name", Transform: "truncate", Width: 4},
		{Column: "x", Transform: "identity"},
		{Column: "ts", Transform: "hour"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if got, err := table.ParsePartitionSpec("  "); got != nil || err != nil {
		t.Errorf("blank spec = %v, %v; want unpartitioned", got, err)
	}
}

func TestBindPartitionSpecErrors(t *testing.T) {
	cat := mustCatalog(t)
	cols, err := table.ParseSchema("id BIGINT, name VARCHAR, ok BOOLEAN, ts TIMESTAMP")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := table.NewSchema(cols)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		spec string
		want []string
	}{
		{"day(nope)", []string{"partition field day(nope)", `no column "nope"`, "id BIGINT, name VARCHAR, ok BOOLEAN, ts TIMESTAMP"}},
		{"day(name)", []string{"partition field day(name)", "transform day cannot apply to column name of type VARCHAR"}},
		{"bucket(4, ok)", []string{"partition field bucket(4, ok)", "transform bucket cannot apply to column ok of type BOOLEAN"}},
		{"name, NAME", []string{"partition field NAME: its name name is already taken by partition field name; remove one of them"}},
		{"hour(ts), days(ts)", []string{"partition field day(ts): column ts is already partitioned by hour(ts)", "keep only one of year, month, day and hour"}},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			spec, err := table.ParsePartitionSpec(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			_, err = cat.CreateTable(t.Context(), table.Ident{Namespace: "p", Name: "t"}, sc, table.CreateOptions{Partition: spec})
			if err == nil {
				t.Fatal("CreateTable succeeded")
			}
			for _, w := range append(tc.want, "create table p.t: ") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestParseIdentErrors(t *testing.T) {
	long := strings.Repeat("x", 256)
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", []string{`table name ""`, "empty name part", "write name or namespace.name"}},
		{"a.b.c", []string{`table name "a.b.c"`, "want name or namespace.name"}},
		{".orders", []string{"empty name part"}},
		{"sales.", []string{"empty name part"}},
		{"sales.order-lines", []string{`invalid character '-' in "order-lines"`, "use letters, digits and underscores, not starting with a digit"}},
		{"1sales.orders", []string{`invalid character '1' in "1sales"`}},
		{"sales.ördèrs", []string{`invalid character 'ö'`}},
		{"my table", []string{`invalid character ' ' in "my table"`}},
		{"s." + long, []string{"longer than 255 bytes", "shorten it"}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			id, err := table.ParseIdent(tc.in)
			if err == nil {
				t.Fatalf("ParseIdent(%q) = %v, want an error", tc.in, id)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestParseIdent(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want table.Ident
	}{
		{"orders", table.Ident{Namespace: table.DefaultNamespace, Name: "orders"}},
		{" sales.Orders_2 ", table.Ident{Namespace: "sales", Name: "Orders_2"}},
		{"_x._y", table.Ident{Namespace: "_x", Name: "_y"}},
	} {
		got, err := table.ParseIdent(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseIdent(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if back, err := table.ParseIdent(got.String()); err != nil || back != got {
			t.Errorf("ParseIdent(%q) = %v, %v; want %v", got.String(), back, err, got)
		}
	}
}
