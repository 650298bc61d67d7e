package session

import (
	"encoding/json"
	"fmt"
	"github.com/palisade-im/palisade/audit"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/profile"
)

// fileSession is an offline session set up to fetch from a local https
// test server: 127.0.0.1 is configured as the server's upload host and,
// when trust is set, the test server's certificate is trusted.
func fileSession(t *testing.T, srv *httptest.Server, trust bool, maxSize int64) *Session {
	t.Helper()
	r := testRules()
	r.Files.MaxSize = maxSize
	s := offlineSession(t, "", &r)
	s.cfg.UploadHosts = []string{"127.0.0.1"}
	s.cfg.ClamdSocket = filepath.Join(t.TempDir(), "no-clamd.sock")
	s.cfg.DownloadDir = t.TempDir()
	s.initFiles()
	if trust && srv != nil {
		s.roots.AddCert(srv.Certificate())
	}
	queued(s)
	return s
}

// waitQueued collects queued events until one matches.
func waitQueued(t *testing.T, s *Session, what string, match func(event.Event) bool) event.Event {
	t.Helper()
	var seen []event.Event
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		for _, e := range queued(s) {
			seen = append(seen, e)
			if match(e) {
				return e
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s; events: %s", what, dumpEvents(seen))
	return nil
}

func offerFrom(s *Session, from, link string) {
	body := link
	s.fileOffer(&inStanza{From: from, Body: &body, OOB: []oobData{{URL: link}}}, s.trustOf(from))
}

func TestDownloadChecks(t *testing.T) {
	payload := strings.Repeat("x", 500)
	mux := http.NewServeMux()
	mux.HandleFunc("/ok/report.pdf", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, payload) })
	mux.HandleFunc("/big/big.bin", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5000")
		w.Write([]byte(strings.Repeat("y", 5000)))
	})
	mux.HandleFunc("/chunked/big.bin", func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 50; i++ {
			w.Write([]byte(strings.Repeat("z", 100)))
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/short/cut.bin", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "800")
		w.Write([]byte(strings.Repeat("c", 300)))
		// the handler returns early: the connection is closed short
		if hj, ok := w.(http.Hijacker); ok {
			c, _, err := hj.Hijack()
			if err == nil {
				c.Close()
			}
		}
	})
	mux.HandleFunc("/missing/gone.pdf", http.NotFound)
	mux.HandleFunc("/redirect/a.pdf", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.1:1/a.pdf", http.StatusFound)
	})
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	defer srv.Close()

	tests := []struct {
		name, path string
		trust      bool
		code       string // file_rejected code, or "" for file_received unscanned
		inReason   string
	}{
		{"kept unscanned without a scanner", "/ok/report.pdf", true, "", ""},
		{"announced size over the limit", "/big/big.bin", true, event.FileTooLarge, "1000 bytes"},
		{"streamed size over the limit", "/chunked/big.bin", true, event.FileTooLarge, "stopped"},
		{"cut short", "/short/cut.bin", true, event.FileInterrupted, ""},
		{"not found", "/missing/gone.pdf", true, event.FileHTTP, "404"},
		{"redirect to http", "/redirect/a.pdf", true, event.FileBadURL, "http"},
		{"untrusted certificate", "/ok/report.pdf", false, event.FileTLSUntrusted, "SHA-256 fingerprint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fileSession(t, srv, tt.trust, 1000)
			offerFrom(s, "bob@acme.test/pc", srv.URL+tt.path)
			e := waitQueued(t, s, "end of download", func(e event.Event) bool {
				return isA[event.FileReceived](e) || isA[event.FileRejected](e)
			})
			q := listFiles(t, filepath.Join(s.cfg.DataDir, quarantineDir))
			if tt.code == "" {
				got, ok := e.(event.FileReceived)
				if !ok || got.Verdict != event.VerdictUnscanned || got.Size != 500 || filepath.Dir(got.Path) != filepath.Join(s.cfg.DataDir, quarantineDir) ||
					!strings.Contains(got.Scanner, "no-clamd.sock") {
					t.Fatalf("got %+v", e)
				}
				if len(q) != 1 || q[0] != "report.pdf" {
					t.Errorf("quarantine %v", q)
				}
				if l := listFiles(t, s.cfg.DownloadDir); len(l) != 0 {
					t.Errorf("an unscanned file reached downloads: %v", l)
				}
				// Dropped from quarantine on request.
				s.execute(event.CancelFile{ID: got.ID})
				if rej := only[event.FileRejected](queued(s)); len(rej) != 1 || rej[0].Code != event.FileCancelled {
					t.Errorf("cancel: %+v", rej)
				}
				if q := listFiles(t, filepath.Join(s.cfg.DataDir, quarantineDir)); len(q) != 0 {
					t.Errorf("quarantine after cancel %v", q)
				}
				return
			}
			rej, ok := e.(event.FileRejected)
			if !ok || rej.Code != tt.code || !strings.Contains(rej.Reason, tt.inReason) || rej.From != "bob@acme.test/pc" {
				t.Fatalf("got %+v, want file_rejected %s mentioning %q", e, tt.code, tt.inReason)
			}
			if len(q) != 0 {
				t.Errorf("a rejected download left %v in quarantine", q)
			}
		})
	}
}

func TestOfferDecisions(t *testing.T) {
	s := fileSession(t, nil, false, 1000)
	// Offers are only recorded here: an automatic fetch starts but stops at
	// once, silently (the session is closing) and without touching a disk.
	s.cancel()
	s.cfg.DataDir = ""
	tests := []struct {
		from, link string
		oob        bool
		want       string // "auto", "ask", "rejected", "" (no offer)
	}{
		{"bob@acme.test/pc", "https://127.0.0.1:9/f/a.pdf", true, "auto"},
		{"carol@partner.test/x", "https://127.0.0.1:9/f/a.pdf", true, "auto"},
		{"mallory@evil.test/x", "https://127.0.0.1:9/f/a.pdf", true, "ask"},
		{"bob@acmee.test/x", "https://127.0.0.1:9/f/a.pdf", true, "ask"},
		{"x@wa.acme.test", "https://127.0.0.1:9/f/a.pdf", true, "ask"},
		{"bob@acme.test/pc", "https://127.0.0.1:9/f/a.pdf", false, "ask"}, // a bare link may be a web page
		{"bob@acme.test/pc", "http://files.example.com/a.pdf", true, "rejected"},
		{"bob@acme.test/pc", "https://10.1.2.3/a.pdf", true, "rejected"},
		{"bob@acme.test/pc", "http://files.example.com/a.pdf", false, ""}, // a bare http link is just a link
		{"bob@acme.test/pc", "see https://files.example.com/a.pdf", false, ""},
	}
	for _, tt := range tests {
		st := &inStanza{From: tt.from}
		body := tt.link
		st.Body = &body
		if tt.oob {
			st.OOB = []oobData{{URL: tt.link}}
		}
		s.fileOffer(st, s.trustOf(tt.from))
		evs := queued(s)
		offers, rej := only[event.FileOffered](evs), only[event.FileRejected](evs)
		got := ""
		switch {
		case len(offers) == 1 && offers[0].Auto:
			got = "auto"
		case len(offers) == 1:
			got = "ask"
		case len(rej) == 1 && rej[0].Code == event.FileBadURL:
			got = "rejected"
		}
		if got != tt.want {
			t.Errorf("%s sends %q (oob %v): %s, want %s (%s)", tt.from, tt.link, tt.oob, got, tt.want, dumpEvents(evs))
		}
	}
	s.execute(event.DownloadFile{ID: "nope"})
	if errs := only[event.Error](queued(s)); len(errs) != 1 || errs[0].Command != "download_file" {
		t.Errorf("download_file of an unknown id: %+v", errs)
	}
	s.execute(event.RetryScan{ID: "nope"})
	if errs := only[event.Error](queued(s)); len(errs) != 1 || errs[0].Command != "retry_scan" {
		t.Errorf("retry_scan of an unknown id: %+v", errs)
	}
}

func TestMaxFileSize(t *testing.T) {
	form := func(fields ...string) xdataForm {
		var f xdataForm
		for i := 0; i+1 < len(fields); i += 2 {
			f.Fields = append(f.Fields, struct {
				Var    string   `xml:"var,attr"`
				Values []string `xml:"value"`
			}{Var: fields[i], Values: []string{fields[i+1]}})
		}
		return f
	}
	tests := []struct {
		forms []xdataForm
		want  int64
	}{
		{nil, 0},
		{[]xdataForm{form("FORM_TYPE", nsUpload, "max-file-size", "16777216")}, 16777216},
		{[]xdataForm{form("FORM_TYPE", "urn:other", "max-file-size", "5"), form("FORM_TYPE", nsUpload, "max-file-size", " 42 ")}, 42},
		{[]xdataForm{form("FORM_TYPE", "urn:other", "max-file-size", "5")}, 0},
		{[]xdataForm{form("FORM_TYPE", nsUpload, "max-file-size", "lots")}, 0},
	}
	for i, tt := range tests {
		if got := maxFileSize(&discoInfo{Forms: tt.forms}); got != tt.want {
			t.Errorf("%d: maxFileSize = %d, want %d", i, got, tt.want)
		}
	}
}

func TestHumanSize(t *testing.T) {
	for n, want := range map[int64]string{12: "12 bytes", 1536: "1.5 KiB", 16 << 20: "16 MiB", 17<<20 + 1: "17 MiB", 3 << 30: "3 GiB"} {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestDefaultDownloadDir(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_DOWNLOAD_DIR", "")
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "cfg"))
	if got := defaultDownloadDir(); got != filepath.Join(home, "Downloads") {
		t.Errorf("no user-dirs: %s", got)
	}
	os.MkdirAll(filepath.Join(home, "cfg"), 0o700)
	os.WriteFile(filepath.Join(home, "cfg", "user-dirs.dirs"), []byte("# comment\nXDG_DOWNLOAD_DIR=\"$HOME/Téléchargements\"\n"), 0o600)
	if got := defaultDownloadDir(); got != filepath.Join(home, "Téléchargements") {
		t.Errorf("user-dirs: %s", got)
	}
	t.Setenv("XDG_DOWNLOAD_DIR", "/srv/dl")
	if got := defaultDownloadDir(); got != "/srv/dl" {
		t.Errorf("XDG_DOWNLOAD_DIR: %s", got)
	}
}

func TestReleaseNeverOverwrites(t *testing.T) {
	s := fileSession(t, nil, false, 1000)
	dl := s.cfg.DownloadDir
	os.WriteFile(filepath.Join(dl, "a.txt"), []byte("mine"), 0o600)
	os.WriteFile(filepath.Join(dl, "a (2).txt"), []byte("mine too"), 0o600)
	q, err := s.quarantine()
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(q, "a.txt")
	os.WriteFile(src, []byte("theirs"), 0o600)
	dst, err := s.release(src, "a.txt")
	if err != nil || dst != filepath.Join(dl, "a (3).txt") {
		t.Fatalf("release = %q, %v", dst, err)
	}
	for name, want := range map[string]string{"a.txt": "mine", "a (2).txt": "mine too", "a (3).txt": "theirs"} {
		if b, _ := os.ReadFile(filepath.Join(dl, name)); string(b) != want {
			t.Errorf("%s = %q, want %q", name, b, want)
		}
	}
	if _, err := os.Stat(src); !os.IsNotExist(err) {
		t.Errorf("the quarantined file is still there: %v", err)
	}
}

func TestAuditLine(t *testing.T) {
	s := fileSession(t, nil, false, 1000)
	s.audit("file_infected", map[string]any{"virus": "X", "name": "a\nb"})
	s.audit("file_infected", map[string]any{"virus": "Y"})
	entries := auditEntries(t, s.cfg.DataDir)
	if len(entries) != 2 {
		t.Fatalf("audit log holds %+v, want 2 entries", entries)
	}
	f := entries[0].Fields
	if entries[0].Kind != "file_infected" || f["virus"] != "X" || f["name"] != "a\nb" || f["account"] != "alice@acme.test" || entries[0].Time == "" {
		t.Errorf("first entry %+v", entries[0])
	}
	if entries[1].Prev != entries[0].Hash {
		t.Errorf("the second entry does not chain to the first: %+v", entries)
	}
}

// auditEntries reads the session's audit log in dataDir, after checking
// that its hash chain verifies.
func auditEntries(t *testing.T, dataDir string) []audit.Entry {
	t.Helper()
	dir := filepath.Join(dataDir, audit.DirName)
	rep, err := audit.VerifyDir(dir, audit.VerifyOptions{})
	if err != nil || !rep.OK {
		t.Fatalf("audit log does not verify: %+v, %v", rep, err)
	}
	f, err := os.Open(audit.Path(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, err := audit.ReadEntries(f)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(audit.Path(dir)); fi.Mode().Perm() != 0o600 {
		t.Errorf("audit log mode %v, want 0600", fi.Mode().Perm())
	}
	return entries
}

// hasAudit reports whether an entry of kind has fields matching want.
func hasAudit(entries []audit.Entry, kind string, want map[string]any) bool {
	for _, e := range entries {
		if e.Kind != kind {
			continue
		}
		ok := true
		for k, v := range want {
			if e.Fields[k] != v {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func TestProgressThrottle(t *testing.T) {
	s := fileSession(t, nil, false, 1000)
	p := &progress{s: s, ev: event.FileProgress{ID: "p", Total: 1000}}
	for i := 0; i < 100; i++ {
		p.add(10)
	}
	evs := only[event.FileProgress](queued(s))
	if len(evs) < 19 || len(evs) > 25 || evs[len(evs)-1].Bytes != 1000 {
		t.Errorf("%d progress events for 100 reads, last %+v; want about one per 5 %%", len(evs), evs[len(evs)-1])
	}
}

func TestSlotHeaders(t *testing.T) {
	// Only the headers XEP-0363 allows pass, without line breaks.
	st := uploadSlot{}
	st.Put.Headers = append(st.Put.Headers, struct {
		Name  string `xml:"name,attr"`
		Value string `xml:",chardata"`
	}{"Authorization", "Bearer a\r\nX-Evil: 1"}, struct {
		Name  string `xml:"name,attr"`
		Value string `xml:",chardata"`
	}{"Host", "evil.example"})
	h := slotHeaders(&st)
	if h.Get("Authorization") != "Bearer aX-Evil: 1" || h.Get("Host") != "" || len(h) != 1 {
		t.Errorf("headers %v", h)
	}
}

// TestScannerUnavailableAllow: a profile whose files.scanner_unavailable is
// "allow" lets an unscanned file through to downloads, labelled unscanned,
// and the audit log says so.
func TestScannerUnavailableAllow(t *testing.T) {
	priv, pub, err := profile.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	sys := t.TempDir()
	os.MkdirAll(filepath.Join(sys, "keys"), 0o755)
	b, _ := json.Marshal(pub)
	os.WriteFile(filepath.Join(sys, "keys", "it.jwk"), b, 0o644)
	now := time.Now().UTC().Truncate(time.Second)
	data, _ := json.Marshal(map[string]any{
		"format": profile.Format, "id": "acme-main", "serial": 1,
		"issued_at": now.Add(-time.Hour), "expires_at": now.Add(24 * time.Hour),
		"organisation": map[string]any{"name": "Acme", "domains": []string{"acme.test"}},
		"files":        map[string]any{"max_size": 1000, "scanner_unavailable": "allow"},
	})
	jws, err := profile.Sign(data, priv)
	if err != nil {
		t.Fatal(err)
	}
	m, err := profile.Open(profile.Options{DataDir: t.TempDir(), SystemDir: sys})
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Apply(data, jws, "import")
	if err != nil {
		t.Fatal(err)
	}

	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "minutes") }))
	defer srv.Close()
	s := fileSession(t, srv, true, 1000)
	s.cfg.Profiles = m
	s.setRules(res.Profile.Rules())
	offerFrom(s, "bob@acme.test/pc", srv.URL+"/f/minutes.txt")
	e := waitQueued(t, s, "file_received", func(e event.Event) bool { return isA[event.FileReceived](e) || isA[event.FileRejected](e) })
	got, ok := e.(event.FileReceived)
	if !ok || got.Verdict != event.VerdictUnscanned || got.Path != filepath.Join(s.cfg.DownloadDir, "minutes.txt") || !strings.Contains(got.Scanner, "profile") {
		t.Fatalf("got %+v, want unscanned in downloads", e)
	}
	if q := listFiles(t, filepath.Join(s.cfg.DataDir, quarantineDir)); len(q) != 0 {
		t.Errorf("quarantine %v", q)
	}
	if !hasAudit(auditEntries(t, s.cfg.DataDir), "file_unscanned", map[string]any{"name": "minutes.txt"}) {
		t.Errorf("no file_unscanned entry in the audit log")
	}
}

// TestDownloadFromNowBlocked: an offer whose sender was blocked since is
// never fetched.
func TestDownloadFromNowBlocked(t *testing.T) {
	s := fileSession(t, nil, false, 1000)
	offerFrom(s, "mallory@evil.test/x", "https://127.0.0.1:9/f/a.pdf")
	offers := only[event.FileOffered](queued(s))
	if len(offers) != 1 || offers[0].Auto {
		t.Fatalf("offers %+v", offers)
	}
	r := testRules()
	r.Files.MaxSize = 1000
	r.BlockedDomains = append(r.BlockedDomains, "evil.test")
	s.setRules(r)
	queued(s)
	s.execute(event.DownloadFile{ID: offers[0].ID})
	evs := queued(s)
	rej := only[event.FileRejected](evs)
	if len(rej) != 1 || rej[0].Code != event.FileBlockedPeer || len(only[event.FileProgress](evs)) != 0 {
		t.Errorf("events %s, want file_rejected blocked and no fetch", dumpEvents(evs))
	}
	s.execute(event.DownloadFile{ID: offers[0].ID})
	if errs := only[event.Error](queued(s)); len(errs) != 1 {
		t.Errorf("the refused offer is still waiting: %+v", errs)
	}
}

// TestAutoDownloadNever: with files.auto_download "never" in the profile, a
// colleague's file waits for a click like anyone else's.
func TestAutoDownloadNever(t *testing.T) {
	priv, pub, err := profile.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	sys := t.TempDir()
	os.MkdirAll(filepath.Join(sys, "keys"), 0o755)
	b, _ := json.Marshal(pub)
	os.WriteFile(filepath.Join(sys, "keys", "it.jwk"), b, 0o644)
	now := time.Now().UTC().Truncate(time.Second)
	doc := func(serial int, auto string) []byte {
		data, _ := json.Marshal(map[string]any{
			"format": profile.Format, "id": "acme-main", "serial": serial,
			"issued_at": now.Add(-time.Hour), "expires_at": now.Add(24 * time.Hour),
			"organisation": map[string]any{"name": "Acme", "domains": []string{"acme.test"}},
			"partners":     []map[string]any{{"name": "Partner", "domains": []string{"partner.test"}, "files_allowed": true}},
			"files":        map[string]any{"max_size": 1000, "auto_download": auto},
		})
		return data
	}
	m, err := profile.Open(profile.Options{DataDir: t.TempDir(), SystemDir: sys})
	if err != nil {
		t.Fatal(err)
	}
	s := fileSession(t, nil, false, 1000)
	s.cancel() // an automatic fetch would stop at once; only the offer matters here
	s.cfg.DataDir = ""
	s.cfg.Profiles = m
	for i, tt := range []struct {
		auto string
		want bool
	}{{"never", false}, {"approved", true}} {
		data := doc(i+1, tt.auto)
		jws, err := profile.Sign(data, priv)
		if err != nil {
			t.Fatal(err)
		}
		res, err := m.Apply(data, jws, "import")
		if err != nil {
			t.Fatal(err)
		}
		s.setRules(res.Profile.Rules())
		queued(s)
		for _, from := range []string{"bob@acme.test/pc", "carol@partner.test/x"} {
			offerFrom(s, from, "https://127.0.0.1:9/f/a.pdf")
			offers := only[event.FileOffered](queued(s))
			if len(offers) != 1 || offers[0].Auto != tt.want {
				t.Errorf("auto_download %s, file from %s: offers %+v, want Auto %v", tt.auto, from, offers, tt.want)
			}
		}
	}
	if _, err := profile.Parse(doc(3, "always")); err == nil || !strings.Contains(err.Error(), "files.auto_download") {
		t.Errorf("auto_download \"always\" accepted: %v", err)
	}
}
