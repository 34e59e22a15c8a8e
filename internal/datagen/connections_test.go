package datagen_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/datagen"
)

func TestConnectionsConfigValidate(t *testing.T) {
	if err := datagen.DefaultConnectionsConfig().Validate(); err != nil {
		t.Fatalf("default config: %v", err)
	}
	tests := []struct {
		name string
		c    datagen.ConnectionsConfig
		want string
	}{
		{"negative records", datagen.ConnectionsConfig{Records: -1}, "Records = -1"},
		{"fraction above 1", datagen.ConnectionsConfig{Records: 1, AttackFraction: 1.5}, "AttackFraction = 1.5"},
		{"NaN fraction", datagen.ConnectionsConfig{Records: 1, AttackFraction: math.NaN()}, "AttackFraction = NaN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.c.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want an error containing %q", err, tt.want)
			}
			if err := datagen.WriteConnectionsCSV(context.Background(), tt.c, io.Discard); err == nil {
				t.Fatal("WriteConnectionsCSV accepted an invalid config")
			}
		})
	}
}

func collectConnections(tb testing.TB, c datagen.ConnectionsConfig) []datagen.Connection {
	tb.Helper()
	var out []datagen.Connection
	if err := datagen.Connections(context.Background(), c, func(r datagen.Connection) error {
		out = append(out, r)
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestConnectionsDeterministic(t *testing.T) {
	hash := func(c datagen.ConnectionsConfig) string {
		h := sha256.New()
		if err := datagen.WriteConnectionsCSV(context.Background(), c, h); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%x", h.Sum(nil))
	}
	c := datagen.DefaultConnectionsConfig()
	c.Records = 5000
	a := hash(c)
	if b := hash(c); a != b {
		t.Fatal("two runs of the same config differ")
	}
	c.Seed = 2
	if hash(c) == a {
		t.Fatal("seeds 1 and 2 gave the same records")
	}
}

func TestConnectionsRecords(t *testing.T) {
	c := datagen.DefaultConnectionsConfig()
	rs := collectConnections(t, c)
	if len(rs) != c.Records {
		t.Fatalf("got %d records, want %d", len(rs), c.Records)
	}
	labels := map[string]int{}
	for i, r := range rs {
		labels[r.Label]++
		switch r.ProtocolType {
		case "tcp", "udp", "icmp":
		default:
			t.Fatalf("record %d: protocol_type %q", i, r.ProtocolType)
		}
		if r.Service == "" || r.Flag == "" {
			t.Fatalf("record %d: empty service or flag: %+v", i, r)
		}
		if r.Count < 1 || r.Count > 511 || r.SrvCount < 1 || r.SrvCount > 511 ||
			r.DstHostCount < 1 || r.DstHostCount > 255 || r.DstHostSrvCount < 1 || r.DstHostSrvCount > 255 {
			t.Fatalf("record %d: counts out of KDD's ranges: %+v", i, r)
		}
		if r.Label == "normal" && r.DstHostSrvCount > r.DstHostCount {
			t.Fatalf("record %d: dst_host_srv_count > dst_host_count: %+v", i, r)
		}
		for _, x := range []float64{r.SErrorRate, r.RErrorRate, r.SameSrvRate, r.DiffSrvRate, r.DstHostSameSrvRate, r.DstHostSErrorRate, r.DstHostRErrorRate} {
			if x < 0 || x > 1 || x != math.Round(x*100)/100 {
				t.Fatalf("record %d: rate %v not in 0..1 with two decimals: %+v", i, x, r)
			}
		}
		if r.Duration < 0 || r.SrcBytes < 0 || r.DstBytes < 0 {
			t.Fatalf("record %d: negative duration or bytes: %+v", i, r)
		}
		// Each attack's signature.
		switch r.Label {
		case "normal":
		case "smurf":
			if r.Service != "ecr_i" || r.SrcBytes < 500 || r.Count < 300 {
				t.Fatalf("record %d: smurf without its signature: %+v", i, r)
			}
		case "neptune":
			if r.Flag == "S0" && (r.SErrorRate != 1 || r.DstHostSErrorRate != 1) || r.SrcBytes != 0 || r.Count < 100 {
				t.Fatalf("record %d: neptune without its signature: %+v", i, r)
			}
		case "portsweep":
			if r.Flag == "SF" || r.RErrorRate < 0.5 || r.DstHostSameSrvRate > 0.02 {
				t.Fatalf("record %d: portsweep without its signature: %+v", i, r)
			}
		case "guess_passwd":
			if r.NumFailedLogins != 1 || r.LoggedIn != 0 {
				t.Fatalf("record %d: guess_passwd without its signature: %+v", i, r)
			}
		default:
			t.Fatalf("record %d: unknown label %q", i, r.Label)
		}
	}
	attacks := c.Records - labels["normal"]
	if f := float64(attacks) / float64(c.Records); math.Abs(f-c.AttackFraction) > 0.01 {
		t.Errorf("attack share %.3f, want ≈ %.2f", f, c.AttackFraction)
	}
	for _, a := range datagen.ConnectionAttacks {
		if labels[a] < attacks/20 {
			t.Errorf("%s: %d of %d attacks, want its share of the mix", a, labels[a], attacks)
		}
	}
	for _, tt := range []struct {
		fraction   float64
		wantNormal int
	}{{0, 1000}, {1, 0}} {
		rs := collectConnections(t, datagen.ConnectionsConfig{Records: 1000, AttackFraction: tt.fraction, Seed: 3})
		n := 0
		for _, r := range rs {
			if r.Label == "normal" {
				n++
			}
		}
		if n != tt.wantNormal {
			t.Errorf("AttackFraction %v: %d normal records, want %d", tt.fraction, n, tt.wantNormal)
		}
	}
}

func TestWriteConnectionsCSV(t *testing.T) {
	var b bytes.Buffer
	c := datagen.ConnectionsConfig{Records: 300, AttackFraction: 0.5, Seed: 4}
	if err := datagen.WriteConnectionsCSV(context.Background(), c, &b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if lines[0] != datagen.ConnectionsHeader || len(lines) != 301 {
		t.Fatalf("header %q and %d lines, want ConnectionsHeader and 301", lines[0], len(lines))
	}
	cols := len(strings.Split(datagen.ConnectionsHeader, ","))
	for i, l := range lines[1:] {
		if n := len(strings.Split(l, ",")); n != cols {
			t.Fatalf("line %d %q: %d fields, want %d", i+2, l, n, cols)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := datagen.WriteConnectionsCSV(ctx, c, io.Discard); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled ctx: got %v, want context.Canceled", err)
	}
	if err := datagen.WriteConnectionsCSV(context.Background(), c, failWriter{}); !errors.Is(err, os.ErrClosed) {
		t.Errorf("write error: got %v, want os.ErrClosed", err)
	}
}

func ExampleWriteConnectionsCSV() {
	c := datagen.ConnectionsConfig{Records: 4, AttackFraction: 0.5, Seed: 7}
	if err := datagen.WriteConnectionsCSV(context.Background(), c, os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// duration,protocol_type,service,flag,src_bytes,dst_bytes,logged_in,num_failed_logins,count,srv_count,serror_rate,rerror_rate,same_srv_rate,diff_srv_rate,dst_host_count,dst_host_srv_count,dst_host_same_srv_rate,dst_host_serror_rate,dst_host_rerror_rate,label
	// 0,tcp,http,SF,346,263,1,0,17,17,0.00,0.00,1.00,0.00,255,255,1.00,0.00,0.00,normal
	// 0,tcp,http,SF,282,2825,1,0,9,8,0.00,0.00,0.89,0.11,62,15,0.24,0.04,0.00,normal
	// 0,icmp,ecr_i,SF,1032,0,0,0,511,511,0.00,0.00,1.00,0.00,255,255,1.00,0.00,0.00,smurf
	// 0,tcp,http,SF,373,771,1,0,4,4,0.00,0.00,1.00,0.00,83,83,1.00,0.00,0.00,normal
}

func BenchmarkWriteConnectionsCSV(b *testing.B) {
	c := datagen.ConnectionsConfig{Records: 100_000, AttackFraction: 0.05, Seed: 1}
	b.ReportAllocs()
	for b.Loop() {
		if err := datagen.WriteConnectionsCSV(context.Background(), c, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(c.Records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
