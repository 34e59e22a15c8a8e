package datagen

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
)

// ConnectionsConfig describes a synthetic set of network connection
// records in the style of the KDD Cup 1999 intrusion-detection data (which
// no package ships): one record per TCP/UDP/ICMP connection with its
// duration, protocol, service, final TCP state, byte counts, login facts
// and the "traffic" features KDD computed over a 2-second window (count,
// srv_count, the error and same-service rates) and over the last 100
// connections to the same host (the dst_host_* features).
//
// Records are drawn independently (no time series is simulated; the window
// features are drawn from each traffic type's distribution, as KDD's
// feature extraction would have reported them). A record is normal traffic
// with probability 1 − AttackFraction, from a mixture of profiles:
//
//	web browsing (http, 55 %)   mail (smtp, 15 %)      DNS lookups (domain_u, udp, 12 %)
//	file transfers (ftp_data 8 %, ftp 3 %)             remote shells (telnet, 2 %)
//	pings (ecr_i, icmp, 2 %)    time sync (ntp_u, udp, 3 %)
//
// with realistic warts: a few failed or reset connections (S0, REJ, RSTR
// flags), users mistyping a password (num_failed_logins 1), long and large
// transfers. Otherwise it is an attack, labelled with its KDD name:
//
//   - smurf (40 % of attacks): ICMP echo-reply flood — ecr_i, 1,032 or 520
//     bytes, count and srv_count near KDD's cap of 511.
//   - neptune (30 %): SYN flood — S0 flags (some REJ), no bytes,
//     serror_rate 1, hundreds of connections to many services (mostly
//     private).
//   - portsweep (20 %): probe — REJ/RSTR/RSTOS0 to a different service each
//     time, rerror rates high, dst_host_same_srv_rate near 0; a few very
//     long-lived.
//   - guess_passwd (10 %): many short telnet (some pop_3, ftp) sessions
//     with num_failed_logins 1 and RSTO flags.
//
// Attacks are rare by default, as an anomaly detector assumes; unlike the
// KDD data, in which smurf and neptune make up most records.
type ConnectionsConfig struct {
	// Records is the number of connection records (default 20,000).
	Records int
	// AttackFraction is the expected share of attack records, 0..1
	// (default 0.05).
	AttackFraction float64
	// Seed selects the data set (default 1).
	Seed int64
}

// DefaultConnectionsConfig returns 20,000 records with 5 % attacks, seed 1.
func DefaultConnectionsConfig() ConnectionsConfig {
	return ConnectionsConfig{Records: 20_000, AttackFraction: 0.05, Seed: 1}
}

// Validate reports the first invalid field, naming it and the allowed range.
func (c ConnectionsConfig) Validate() error {
	switch {
	case c.Records < 0:
		return fmt.Errorf("datagen: connections Records = %d; want >= 0", c.Records)
	case !(c.AttackFraction >= 0 && c.AttackFraction <= 1):
		return fmt.Errorf("datagen: connections AttackFraction = %v; want 0..1", c.AttackFraction)
	}
	return nil
}

// Connection is one connection record; field names follow KDD Cup 1999's
// (the CSV header uses the snake_case names in the comments).
type Connection struct {
	Duration           int64   // duration: seconds
	ProtocolType       string  // protocol_type: tcp, udp or icmp
	Service            string  // service: http, smtp, domain_u, private, …
	Flag               string  // flag: SF (normal), S0 (SYN unanswered), REJ, RSTO, RSTR, RSTOS0, S1, SH
	SrcBytes           int64   // src_bytes: bytes from source to destination
	DstBytes           int64   // dst_bytes: bytes back
	LoggedIn           int     // logged_in: 1 if the session logged in
	NumFailedLogins    int     // num_failed_logins
	Count              int     // count: connections to the same host in the past 2 s (≤ 511)
	SrvCount           int     // srv_count: connections to the same service in the past 2 s (≤ 511)
	SErrorRate         float64 // serror_rate: share of count with SYN errors
	RErrorRate         float64 // rerror_rate: share of count with REJ errors
	SameSrvRate        float64 // same_srv_rate: share of count to the same service
	DiffSrvRate        float64 // diff_srv_rate: share of count to other services
	DstHostCount       int     // dst_host_count: of the last 100… connections, those to the same host (≤ 255)
	DstHostSrvCount    int     // dst_host_srv_count: …to the same host and service (≤ 255)
	DstHostSameSrvRate float64 // dst_host_same_srv_rate
	DstHostSErrorRate  float64 // dst_host_serror_rate
	DstHostRErrorRate  float64 // dst_host_rerror_rate
	Label              string  // label: "normal" or the attack's name
}

// ConnectionsHeader is the CSV header WriteConnectionsCSV writes.
const ConnectionsHeader = "duration,protocol_type,service,flag,src_bytes,dst_bytes,logged_in," +
	"num_failed_logins,count,srv_count,serror_rate,rerror_rate,same_srv_rate,diff_srv_rate," +
	"dst_host_count,dst_host_srv_count,dst_host_same_srv_rate,dst_host_serror_rate," +
	"dst_host_rerror_rate,label"

// ConnectionAttacks lists the attack labels Connections generates.
var ConnectionAttacks = []string{"smurf", "neptune", "portsweep", "guess_passwd"}

// probedServices are the services neptune and portsweep hit.
var probedServices = [...]string{
	"private", "other", "http", "smtp", "ftp", "ftp_data", "telnet", "finger", "auth",
	"pop_3", "imap4", "sunrpc", "uucp", "netbios_ns", "netbios_ssn", "ldap", "Z39_50",
	"courier", "whois", "login", "bgp", "iso_tsap", "systat", "daytime", "discard", "echo",
	"csnet_ns", "klogin", "kshell", "supdup", "ctf", "gopher", "hostnames", "link", "mtp",
	"name", "nnsp", "pop_2", "printer", "shell", "sql_net", "time", "uucp_path", "vmnet",
	"domain", "exec", "efs", "remote_job", "rje", "http_443", "netstat", "nntp",
}

// Connections calls fn for each of c.Records records, in order; the output
// depends only on c. It returns c.Validate's error, ctx's error (checked
// every 4,096 records) or fn's first error, wrapped with the record number.
func Connections(ctx context.Context, c ConnectionsConfig, fn func(Connection) error) error {
	if err := c.Validate(); err != nil {
		return err
	}
	g := connGen{r: stream(c.Seed, streamConnections, 0)}
	for i := range c.Records {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("datagen: connections: %w", err)
			}
		}
		var rec Connection
		if g.r.Float64() < c.AttackFraction {
			g.attack(&rec)
		} else {
			g.normal(&rec)
		}
		if err := fn(rec); err != nil {
			return fmt.Errorf("datagen: connection record %d: %w", i+1, err)
		}
	}
	return nil
}

type connGen struct{ r *rand.Rand }

// logNormal draws a value with the given median and log-scale sd, as an
// integer count of bytes.
func (g connGen) logNormal(median, sigma float64) int64 {
	return int64(math.Round(median * math.Exp(sigma*g.r.NormFloat64())))
}

// between draws an integer in [lo, hi].
func (g connGen) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

// uniform draws a float in [lo, hi), rounded to KDD's two decimals.
func (g connGen) uniform(lo, hi float64) float64 { return rate(lo + (hi-lo)*g.r.Float64()) }

// geometric draws 1 + a geometric count with the given mean above 1.
func (g connGen) geometric(mean float64) int {
	return 1 + int(g.r.ExpFloat64()*mean)
}

// rate rounds to two decimals and clamps to 0..1.
func rate(x float64) float64 { return math.Round(min(max(x, 0), 1)*100) / 100 }

// smallRate is a normal host's occasional error or off-service rate.
func (g connGen) smallRate(p, hi float64) float64 {
	if g.r.Float64() < p {
		return g.uniform(0.01, hi)
	}
	return 0
}

// hostCounts fills the dst_host_* features of ordinary traffic.
func (g connGen) hostCounts(rec *Connection, busy float64) {
	if g.r.Float64() < busy {
		rec.DstHostCount = 255
	} else {
		rec.DstHostCount = g.between(1, 255)
	}
	if g.r.Float64() < busy {
		rec.DstHostSrvCount = rec.DstHostCount
	} else {
		rec.DstHostSrvCount = g.between(1, rec.DstHostCount)
	}
	rec.DstHostSameSrvRate = rate(float64(rec.DstHostSrvCount) / float64(rec.DstHostCount))
	rec.DstHostSErrorRate = g.smallRate(0.05, 0.1)
	rec.DstHostRErrorRate = g.smallRate(0.05, 0.1)
}

// windowCounts fills count, srv_count and the window rates of ordinary
// traffic with about mean connections to the host in 2 s.
func (g connGen) windowCounts(rec *Connection, mean float64) {
	rec.Count = min(g.geometric(mean), 511)
	rec.SrvCount = rec.Count
	if g.r.Float64() < 0.1 {
		rec.SrvCount = g.between(1, rec.Count)
	}
	rec.SameSrvRate = rate(float64(rec.SrvCount) / float64(rec.Count))
	rec.DiffSrvRate = rate(1 - rec.SameSrvRate)
	rec.SErrorRate = g.smallRate(0.03, 0.2)
	rec.RErrorRate = g.smallRate(0.03, 0.2)
}

func (g connGen) normal(rec *Connection) {
	rec.Label = "normal"
	rec.ProtocolType, rec.Flag, rec.LoggedIn = "tcp", "SF", 1
	switch x := g.r.Float64(); {
	case x < 0.55: // web browsing
		rec.Service = "http"
		if g.r.Float64() < 0.1 {
			rec.Duration = int64(g.r.ExpFloat64() * 3)
		}
		rec.SrcBytes, rec.DstBytes = g.logNormal(230, 0.35), g.logNormal(2000, 1.2)
		g.windowCounts(rec, 8)
		g.hostCounts(rec, 0.5)
		// A few failed or reset page loads.
		switch y := g.r.Float64(); {
		case y < 0.005:
			rec.Flag, rec.SrcBytes, rec.DstBytes, rec.LoggedIn = "S0", 0, 0, 0
			rec.SErrorRate = g.uniform(0.05, 0.5)
		case y < 0.015:
			rec.Flag, rec.SrcBytes, rec.DstBytes, rec.LoggedIn = "REJ", 0, 0, 0
			rec.RErrorRate = g.uniform(0.05, 0.5)
		case y < 0.025:
			rec.Flag = "RSTR"
		case y < 0.03:
			rec.Flag = "S1"
		}
	case x < 0.70: // mail
		rec.Service = "smtp"
		rec.Duration = int64(g.r.ExpFloat64() * 1.5)
		rec.SrcBytes, rec.DstBytes = g.logNormal(1100, 0.9), g.logNormal(330, 0.15)
		g.windowCounts(rec, 1.5)
		g.hostCounts(rec, 0.1)
	case x < 0.82: // DNS lookups
		rec.ProtocolType, rec.Service, rec.LoggedIn = "udp", "domain_u", 0
		rec.SrcBytes, rec.DstBytes = g.logNormal(44, 0.1), g.logNormal(90, 0.4)
		g.windowCounts(rec, 60)
		rec.SErrorRate, rec.RErrorRate = 0, 0
		g.hostCounts(rec, 0.8)
	case x < 0.90: // file transfer data
		rec.Service = "ftp_data"
		rec.Duration = int64(g.r.ExpFloat64() * 2)
		rec.SrcBytes, rec.DstBytes = g.logNormal(3000, 1.6), 0
		g.windowCounts(rec, 1)
		g.hostCounts(rec, 0.05)
	case x < 0.93: // file transfer control
		rec.Service = "ftp"
		rec.Duration = int64(g.r.ExpFloat64() * 60)
		rec.SrcBytes, rec.DstBytes = g.logNormal(250, 0.6), g.logNormal(800, 0.7)
		if g.r.Float64() < 0.02 {
			rec.NumFailedLogins = 1
		}
		g.windowCounts(rec, 0.5)
		g.hostCounts(rec, 0.05)
	case x < 0.95: // remote shells
		rec.Service = "telnet"
		rec.Duration = int64(g.r.ExpFloat64() * 300)
		rec.SrcBytes, rec.DstBytes = g.logNormal(1500, 1), g.logNormal(10000, 1.2)
		if g.r.Float64() < 0.03 {
			rec.NumFailedLogins = 1
		}
		g.windowCounts(rec, 0.3)
		g.hostCounts(rec, 0.02)
	case x < 0.97: // pings
		rec.ProtocolType, rec.Service, rec.LoggedIn = "icmp", "ecr_i", 0
		rec.SrcBytes = g.logNormal(64, 0.3)
		g.windowCounts(rec, 2)
		g.hostCounts(rec, 0.1)
	default: // time sync
		rec.ProtocolType, rec.Service, rec.LoggedIn = "udp", "ntp_u", 0
		rec.SrcBytes, rec.DstBytes = 48, 48
		g.windowCounts(rec, 1)
		g.hostCounts(rec, 0.1)
	}
}

func (g connGen) attack(rec *Connection) {
	switch x := g.r.Float64(); {
	case x < 0.4: // smurf: ICMP echo-reply flood
		rec.Label, rec.ProtocolType, rec.Service, rec.Flag = "smurf", "icmp", "ecr_i", "SF"
		rec.SrcBytes = 1032
		if g.r.Float64() < 0.2 {
			rec.SrcBytes = 520
		}
		rec.Count = 511
		if g.r.Float64() < 0.2 {
			rec.Count = g.between(300, 511)
		}
		rec.SrvCount, rec.SameSrvRate = rec.Count, 1
		rec.DstHostCount, rec.DstHostSrvCount, rec.DstHostSameSrvRate = 255, 255, 1
	case x < 0.7: // neptune: SYN flood
		rec.Label, rec.ProtocolType = "neptune", "tcp"
		rec.Service = "private"
		if g.r.Float64() < 0.4 {
			rec.Service = probedServices[g.r.IntN(len(probedServices))]
		}
		rec.Count = g.between(100, 300)
		rec.SrvCount = g.between(1, 25)
		rec.SameSrvRate = rate(float64(rec.SrvCount) / float64(rec.Count))
		rec.DiffSrvRate = g.uniform(0.05, 0.09)
		rec.DstHostCount, rec.DstHostSrvCount = 255, g.between(1, 25)
		rec.DstHostSameSrvRate = rate(float64(rec.DstHostSrvCount) / 255)
		if g.r.Float64() < 0.85 {
			rec.Flag, rec.SErrorRate, rec.DstHostSErrorRate = "S0", 1, 1
		} else {
			rec.Flag, rec.RErrorRate, rec.DstHostRErrorRate = "REJ", 1, 1
		}
	case x < 0.9: // portsweep: probe each service of a host
		rec.Label, rec.ProtocolType = "portsweep", "tcp"
		rec.Service = probedServices[g.r.IntN(len(probedServices))]
		switch y := g.r.Float64(); {
		case y < 0.5:
			rec.Flag = "REJ"
		case y < 0.8:
			rec.Flag = "RSTR"
		default:
			rec.Flag = "RSTOS0"
		}
		if g.r.Float64() < 0.1 {
			rec.Duration = int64(g.r.ExpFloat64() * 2000)
		}
		rec.Count = g.between(1, 2)
		rec.SrvCount = 1
		rec.SameSrvRate = rate(float64(rec.SrvCount) / float64(rec.Count))
		rec.DiffSrvRate = rate(1 - rec.SameSrvRate)
		rec.RErrorRate = g.uniform(0.5, 1)
		rec.DstHostCount = g.between(100, 255)
		rec.DstHostSrvCount = g.between(1, 3)
		rec.DstHostSameSrvRate = g.uniform(0, 0.02)
		rec.DstHostRErrorRate = g.uniform(0.5, 1)
	default: // guess_passwd: password guessing
		rec.Label, rec.ProtocolType = "guess_passwd", "tcp"
		switch y := g.r.Float64(); {
		case y < 0.8:
			rec.Service = "telnet"
		case y < 0.9:
			rec.Service = "pop_3"
		default:
			rec.Service = "ftp"
		}
		rec.Flag = "RSTO"
		if g.r.Float64() < 0.4 {
			rec.Flag = "SF"
		}
		rec.Duration = int64(g.between(2, 5))
		rec.SrcBytes, rec.DstBytes = g.logNormal(125, 0.1), g.logNormal(180, 0.2)
		rec.NumFailedLogins = 1
		rec.Count, rec.SrvCount, rec.SameSrvRate = 1, 1, 1
		rec.DstHostCount = g.between(1, 10)
		rec.DstHostSrvCount = g.between(100, 255)
		rec.DstHostSameSrvRate = 1
		rec.DstHostRErrorRate = g.smallRate(0.3, 0.1)
	}
}

// WriteConnectionsCSV writes c's records to w as CSV with the header
// ConnectionsHeader (rates with two decimals, as KDD). Writes are
// buffered; it returns the first write error or ctx's error.
func WriteConnectionsCSV(ctx context.Context, c ConnectionsConfig, w io.Writer) error {
	if err := c.Validate(); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	if _, err := bw.WriteString(ConnectionsHeader + "\n"); err != nil {
		return fmt.Errorf("datagen: write connections csv: %w", err)
	}
	buf := make([]byte, 0, 256)
	err := Connections(ctx, c, func(r Connection) error {
		buf = strconv.AppendInt(buf[:0], r.Duration, 10)
		for _, s := range [...]string{r.ProtocolType, r.Service, r.Flag} {
			buf = append(buf, ',')
			buf = append(buf, s...)
		}
		for _, v := range [...]int64{r.SrcBytes, r.DstBytes, int64(r.LoggedIn), int64(r.NumFailedLogins), int64(r.Count), int64(r.SrvCount)} {
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, v, 10)
		}
		for _, v := range [...]float64{r.SErrorRate, r.RErrorRate, r.SameSrvRate, r.DiffSrvRate} {
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, v, 'f', 2, 64)
		}
		for _, v := range [...]int64{int64(r.DstHostCount), int64(r.DstHostSrvCount)} {
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, v, 10)
		}
		for _, v := range [...]float64{r.DstHostSameSrvRate, r.DstHostSErrorRate, r.DstHostRErrorRate} {
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, v, 'f', 2, 64)
		}
		buf = append(buf, ',')
		buf = append(buf, r.Label...)
		buf = append(buf, '\n')
		_, err := bw.Write(buf)
		return err
	})
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("datagen: write connections csv: %w", err)
	}
	return nil
}
