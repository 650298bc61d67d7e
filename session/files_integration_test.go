package session

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/internal/testenv"
)

// filePeer is a session set up for files: its own data folder (with the
// quarantine), downloads folder and scanner socket. "localhost" is the
// server's upload host: the test servers hand out https://localhost:PORT
// URLs (see the filesafe package documentation).
type filePeer struct {
	*recorder
	jid       string
	data      string
	downloads string
}

func startFilePeer(t *testing.T, srv *testenv.Server, user, clamdSocket string, tune func(*Session)) *filePeer {
	t.Helper()
	p := &filePeer{jid: user, data: t.TempDir(), downloads: t.TempDir()}
	p.recorder = startSessionWith(t, srv, user, opts{dataDir: p.data}, func(s *Session) {
		s.cfg.ClamdSocket = clamdSocket
		s.cfg.DownloadDir = p.downloads
		s.cfg.UploadHosts = []string{"localhost"}
		s.initFiles()
		if tune != nil {
			tune(s)
		}
	})
	p.connected()
	return p
}

func (p *filePeer) quarantined(t *testing.T) []string {
	return listFiles(t, filepath.Join(p.data, quarantineDir))
}
func (p *filePeer) downloaded(t *testing.T) []string { return listFiles(t, p.downloads) }

func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var l []string
	for _, e := range ents {
		l = append(l, e.Name())
	}
	return l
}

func writeRandom(t testing.TB, dir, name string, n int) (string, [32]byte) {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, sha256.Sum256(b)
}

func sumFile(t testing.TB, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func fileEvent[T event.Event](id string) func(event.Event) bool {
	return func(e event.Event) bool {
		v, ok := e.(T)
		if !ok {
			return false
		}
		switch x := any(v).(type) {
		case event.FileSent:
			return id == "" || x.ID == id
		case event.FileRejected:
			return id == "" || x.ID == id
		case event.FileReceived:
			return id == "" || x.ID == id
		case event.FileOffered:
			return id == "" || x.ID == id
		case event.FileProgress:
			return id == "" || x.ID == id
		}
		return true
	}
}

// anyFileEnd matches the end of a transfer.
func anyFileEnd(e event.Event) bool {
	return isA[event.FileSent](e) || isA[event.FileRejected](e) || isA[event.FileReceived](e)
}

// testFileRoundTrip: alice uploads a file to bob's chat; bob's session
// fetches it (internal peer, out-of-band data: automatic), scans it with a
// real clamd, and moves it to the downloads folder with the same content.
// The same file again lands as "name (2)".
func testFileRoundTrip(t *testing.T, srv *testenv.Server) {
	clamd := testenv.StartClamd(t)
	aliceJID := freshUser(t, srv, "fa", "acme.test")
	bobJID := freshUser(t, srv, "fb", "acme.test")
	alice := startFilePeer(t, srv, aliceJID, clamd.Socket, nil)
	bob := startFilePeer(t, srv, bobJID, clamd.Socket, nil)

	src, sum := writeRandom(t, t.TempDir(), "quarterly-figures.bin", 1<<20+123)
	alice.s.Do(event.SendFile{To: bobJID, Path: src, ID: "f1"})
	end := alice.waitFor("file_sent", 30*time.Second, anyFileEnd)
	sent, ok := end.(event.FileSent)
	if !ok {
		t.Fatalf("upload ended with %+v", end)
	}
	if sent.ID != "f1" || sent.To != bobJID || sent.Name != "quarterly-figures.bin" || sent.Size != 1<<20+123 || !strings.HasPrefix(sent.URL, "https://localhost:") {
		t.Errorf("FileSent = %+v", sent)
	}
	var progress []event.FileProgress
	for _, e := range alice.all() {
		if p, ok := e.(event.FileProgress); ok && p.ID == "f1" {
			progress = append(progress, p)
		}
	}
	if len(progress) < 2 || progress[len(progress)-1].Bytes != sent.Size || progress[0].Total != sent.Size || len(progress) > 40 {
		t.Errorf("upload progress: %d events %+v", len(progress), progress)
	}

	off := bob.waitFor("file_offered", 20*time.Second, fileEvent[event.FileOffered]("")).(event.FileOffered)
	if off.URL != sent.URL || off.Name != "quarterly-figures.bin" || !off.Auto || off.Trust.Class != event.ClassInternal || off.From == "" {
		t.Errorf("FileOffered = %+v", off)
	}
	end = bob.waitFor("file_received", 30*time.Second, func(e event.Event) bool {
		return fileEvent[event.FileReceived](off.ID)(e) || fileEvent[event.FileRejected](off.ID)(e)
	})
	got, ok := end.(event.FileReceived)
	if !ok {
		t.Fatalf("download ended with %+v", end)
	}
	if got.Verdict != event.VerdictClean || got.Path != filepath.Join(bob.downloads, "quarterly-figures.bin") || got.Size != sent.Size {
		t.Errorf("FileReceived = %+v", got)
	}
	if sumFile(t, got.Path) != sum {
		t.Error("the received file differs from the sent one")
	}
	if q := bob.quarantined(t); len(q) != 0 {
		t.Errorf("quarantine still holds %v", q)
	}
	if fi, err := os.Stat(filepath.Join(bob.data, quarantineDir)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("quarantine folder: %v %v, want mode 0700", fi.Mode(), err)
	}
	// The message carried the link as body and out-of-band data.
	if !bob.seen(func(e event.Event) bool { mm, ok := e.(event.Message); return ok && mm.Body == sent.URL }) {
		t.Error("no message with the link as its body")
	}

	// Again: no overwrite.
	alice.s.Do(event.SendFile{To: bobJID, Path: src})
	if e := alice.waitFor("second file_sent", 30*time.Second, anyFileEnd); !isA[event.FileSent](e) {
		t.Fatalf("second upload: %+v", e)
	}
	got2 := bob.waitFor("second file_received", 30*time.Second, func(e event.Event) bool { return isA[event.FileReceived](e) || isA[event.FileRejected](e) })
	r2, ok := got2.(event.FileReceived)
	if !ok || r2.Path != filepath.Join(bob.downloads, "quarterly-figures (2).bin") || sumFile(t, r2.Path) != sum {
		t.Errorf("second file: %+v", got2)
	}
	if sumFile(t, got.Path) != sum {
		t.Error("the first file was changed")
	}
}

// testFileTooLarge: a file within the policy but above the server's limit
// is refused by the upload service, and the refusal names the limit.
func testFileTooLarge(t *testing.T, srv *testenv.Server) {
	alice := startFilePeer(t, srv, freshUser(t, srv, "fl", "acme.test"), "", nil)
	path := filepath.Join(t.TempDir(), "huge.mp4")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(17 << 20) // sparse: never uploaded
	f.Close()
	alice.s.Do(event.SendFile{To: "bob@acme.test", Path: path, ID: "big"})
	e := alice.waitFor("file_rejected", 30*time.Second, anyFileEnd)
	rej, ok := e.(event.FileRejected)
	if !ok || rej.Code != event.FileTooLarge || rej.ID != "big" || !strings.Contains(rej.Reason, "16 MiB") || !strings.Contains(rej.Reason, "16777216") {
		t.Errorf("got %+v, want file_rejected too-large naming the server's 16 MiB limit", e)
	}
}

func TestProsodyFileRoundTrip(t *testing.T)  { testFileRoundTrip(t, prosody(t)) }
func TestEjabberdFileRoundTrip(t *testing.T) { testFileRoundTrip(t, ej(t)) }
func TestProsodyFileTooLarge(t *testing.T)   { testFileTooLarge(t, prosody(t)) }
func TestEjabberdFileTooLarge(t *testing.T)  { testFileTooLarge(t, ej(t)) }

// cutProxy forwards TCP to a target and, once budget bytes went from the
// client to the server, either cuts both connections (stall false) or stops
// forwarding and holds them open (stall true). budget < 0: no limit.
type cutProxy struct {
	ln     net.Listener
	target string
	budget atomic.Int64
	stall  bool
	mu     sync.Mutex
	conns  []net.Conn
}

func newCutProxy(t *testing.T, target string, budget int64, stall bool) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target, stall: stall}
	p.budget.Store(budget)
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		for _, c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { io.Copy(c, s); c.Close() }()
			go func() {
				buf := make([]byte, 16<<10)
				for {
					n, err := c.Read(buf)
					if n > 0 {
						left := p.budget.Load()
						if left >= 0 && int64(n) > left {
							if p.stall {
								io.Copy(io.Discard, c) // hold the connection, forward nothing
								return
							}
							c.Close()
							s.Close()
							return
						}
						if left >= 0 {
							p.budget.Add(-int64(n))
						}
						if _, err := s.Write(buf[:n]); err != nil {
							return
						}
					}
					if err != nil {
						s.Close()
						return
					}
				}
			}()
		}
	}()
	return p
}

func (p *cutProxy) addr() string { return p.ln.Addr().String() }

// TestProsodyFileUploadInterrupted: the connection to the upload host is cut
// mid-upload: file_rejected "interrupted", and the same file can be sent
// again. A stalled upload is cancelled with cancel_file.
func TestProsodyFileUploadInterrupted(t *testing.T) {
	srv := prosody(t)
	var proxy *cutProxy
	alice := startFilePeer(t, srv, freshUser(t, srv, "fi", "acme.test"), "", func(s *Session) {
		proxy = newCutProxy(t, srv.HTTPSAddr, 1<<20, false)
		s.files.via = proxy.addr()
	})
	src, _ := writeRandom(t, t.TempDir(), "big.bin", 4<<20)
	alice.s.Do(event.SendFile{To: "bob@acme.test", Path: src, ID: "cut"})
	e := alice.waitFor("file_rejected", 30*time.Second, anyFileEnd)
	if rej, ok := e.(event.FileRejected); !ok || rej.Code != event.FileInterrupted || rej.ID != "cut" || !strings.Contains(rej.Reason, "sent again") {
		t.Fatalf("got %+v, want file_rejected interrupted", e)
	}
	proxy.budget.Store(-1)
	alice.s.Do(event.SendFile{To: "bob@acme.test", Path: src, ID: "again"})
	if e := alice.waitFor("file_sent", 30*time.Second, anyFileEnd); !isA[event.FileSent](e) {
		t.Fatalf("sending again: %+v", e)
	}

	// Stalled, then cancelled.
	stall := newCutProxy(t, srv.HTTPSAddr, 1<<20, true)
	alice.s.files.mu.Lock()
	alice.s.files.via = stall.addr()
	alice.s.files.mu.Unlock()
	alice.s.files.client.CloseIdleConnections()
	alice.s.Do(event.SendFile{To: "bob@acme.test", Path: src, ID: "stall"})
	alice.waitFor("progress", 20*time.Second, func(e event.Event) bool {
		p, ok := e.(event.FileProgress)
		return ok && p.ID == "stall" && p.Bytes > 0
	})
	time.Sleep(200 * time.Millisecond)
	alice.s.Do(event.CancelFile{ID: "stall"})
	e = alice.waitFor("file_rejected", 20*time.Second, anyFileEnd)
	if rej, ok := e.(event.FileRejected); !ok || rej.Code != event.FileCancelled || rej.ID != "stall" {
		t.Fatalf("got %+v, want file_rejected cancelled", e)
	}
}

// received waits for the end of a download: file_received or file_rejected.
func (p *filePeer) received(t *testing.T, what string) event.Event {
	t.Helper()
	return p.waitFor(what, 30*time.Second, func(e event.Event) bool {
		return isA[event.FileReceived](e) || isA[event.FileRejected](e)
	})
}

// TestProsodyFileInfected: the EICAR test file goes through a real upload;
// the receiver's clamd finds it, the file is deleted (neither in downloads
// nor in quarantine) and the audit log has an entry.
func TestProsodyFileInfected(t *testing.T) {
	srv := prosody(t)
	clamd := testenv.StartClamd(t)
	bobJID := freshUser(t, srv, "fe", "acme.test")
	alice := startFilePeer(t, srv, freshUser(t, srv, "fe", "acme.test"), clamd.Socket, nil)
	bob := startFilePeer(t, srv, bobJID, clamd.Socket, nil)
	src := filepath.Join(t.TempDir(), "harmless.txt")
	os.WriteFile(src, []byte(testenv.EICAR), 0o600)
	alice.s.Do(event.SendFile{To: bobJID, Path: src})
	if e := alice.waitFor("file_sent", 30*time.Second, anyFileEnd); !isA[event.FileSent](e) {
		t.Fatalf("upload: %+v", e)
	}
	e := bob.received(t, "file_rejected")
	rej, ok := e.(event.FileRejected)
	if !ok || rej.Code != event.FileInfected || !strings.Contains(rej.Reason, testenv.EICARName) || rej.Name != "harmless.txt" {
		t.Fatalf("got %+v, want file_rejected infected naming %s", e, testenv.EICARName)
	}
	if l := bob.downloaded(t); len(l) != 0 {
		t.Errorf("downloads holds %v", l)
	}
	if l := bob.quarantined(t); len(l) != 0 {
		t.Errorf("quarantine holds %v", l)
	}
	if !hasAudit(auditEntries(t, bob.data), "file_infected", map[string]any{"virus": testenv.EICARName, "name": "harmless.txt", "deleted": true}) {
		t.Errorf("no file_infected entry naming %s in the audit log", testenv.EICARName)
	}
}

// TestProsodyFileScannerDown: with clamd down the file stays in quarantine,
// labelled unscanned; retry_scan with clamd up moves it to downloads.
func TestProsodyFileScannerDown(t *testing.T) {
	srv := prosody(t)
	clamd := testenv.StartClamd(t)
	clamd.Stop()
	bobJID := freshUser(t, srv, "fd", "acme.test")
	alice := startFilePeer(t, srv, freshUser(t, srv, "fd", "acme.test"), "", nil)
	bob := startFilePeer(t, srv, bobJID, clamd.Socket, nil)
	src, sum := writeRandom(t, t.TempDir(), "plan.odt", 50000)
	alice.s.Do(event.SendFile{To: bobJID, Path: src})
	e := bob.received(t, "file_received unscanned")
	got, ok := e.(event.FileReceived)
	if !ok || got.Verdict != event.VerdictUnscanned || filepath.Dir(got.Path) != filepath.Join(bob.data, quarantineDir) ||
		!strings.Contains(got.Scanner, "quarantine") || !strings.Contains(got.Scanner, "clamd") {
		t.Fatalf("got %+v, want file_received unscanned in quarantine", e)
	}
	if l := bob.downloaded(t); len(l) != 0 {
		t.Errorf("downloads holds %v before a scan", l)
	}
	// Still down: still unscanned.
	bob.s.Do(event.RetryScan{ID: got.ID})
	if e := bob.received(t, "retry while down"); !isA[event.FileReceived](e) || e.(event.FileReceived).Verdict != event.VerdictUnscanned {
		t.Fatalf("retry with the scanner down: %+v", e)
	}
	if err := clamd.Start(); err != nil {
		t.Fatal(err)
	}
	bob.s.Do(event.RetryScan{ID: got.ID})
	e = bob.received(t, "file_received clean")
	clean, ok := e.(event.FileReceived)
	if !ok || clean.Verdict != event.VerdictClean || clean.Path != filepath.Join(bob.downloads, "plan.odt") || clean.ID != got.ID {
		t.Fatalf("after retry: %+v", e)
	}
	if sumFile(t, clean.Path) != sum {
		t.Error("content changed")
	}
	if l := bob.quarantined(t); len(l) != 0 {
		t.Errorf("quarantine still holds %v", l)
	}
	bob.s.Do(event.RetryScan{ID: got.ID})
	bob.waitFor("error for a file no longer in quarantine", 5*time.Second, func(e event.Event) bool {
		er, ok := e.(event.Error)
		return ok && er.Command == "retry_scan" && er.Code == event.CodeBadCommand
	})
}

// sendOOB sends a raw chat message with out-of-band data, as another client
// (or a hostile one) would.
func sendOOB(t *testing.T, r *recorder, to, link, body string) {
	t.Helper()
	msg := elem(nsClient, "message", "type", "chat", "to", to, "id", randomID())
	if body != "" {
		msg.add(child("body", body))
	}
	msg.add(elem(nsOOB, "x").add(child("url", link)))
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	if r.s.cur == nil {
		t.Fatal("offline")
	}
	if err := r.s.write(r.s.cur, &outStanza{el: msg}); err != nil {
		t.Fatal(err)
	}
}

// rawUpload puts data on the server under a slot requested for name, the
// way any client could, and returns the GET URL.
func rawUpload(t *testing.T, s *Session, name string, data []byte) string {
	t.Helper()
	ctx := context.Background()
	svc, err := s.uploadService(ctx)
	if err != nil {
		t.Fatal(err)
	}
	put, get, h, err := s.requestSlot(ctx, svc, name, int64(len(data)), "application/octet-stream")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.put(ctx, put, h, "application/octet-stream", bytes.NewReader(data), int64(len(data)), &progress{s: s}); err != nil {
		t.Fatal(err)
	}
	return get.String()
}

// TestProsodyFileHostileNames: links whose names try to climb out of the
// folder or hide their extension land with a safe name in downloads, and
// nowhere else.
func TestProsodyFileHostileNames(t *testing.T) {
	srv := prosody(t)
	clamd := testenv.StartClamd(t)
	bobJID := freshUser(t, srv, "fh", "acme.test")
	clamdDir := clamd.Dir
	alice := startFilePeer(t, srv, freshUser(t, srv, "fh", "acme.test"), "", nil)
	bob := startFilePeer(t, srv, bobJID, clamd.Socket, nil)
	before := treeOf(t, filepath.Dir(bob.data))

	data := []byte("export PS1='owned'\n")
	link := rawUpload(t, alice.s, "innocent.txt", data)
	// The server serves by slot; the name after it is the sender's choice.
	hostile := link[:strings.LastIndexByte(link, '/')+1] + "..%2F..%2F.bashrc"
	sendOOB(t, alice.recorder, bobJID, hostile, hostile)
	off := bob.waitFor("offer", 20*time.Second, fileEvent[event.FileOffered]("")).(event.FileOffered)
	if off.Name != "bashrc" {
		t.Errorf("offered name %q, want bashrc", off.Name)
	}
	e := bob.received(t, "received")
	got, ok := e.(event.FileReceived)
	if !ok || got.Path != filepath.Join(bob.downloads, "bashrc") || got.Verdict != event.VerdictClean {
		t.Fatalf("got %+v", e)
	}

	bidi := rawUpload(t, alice.s, "invoice\u202Efdp.exe", data)
	sendOOB(t, alice.recorder, bobJID, bidi, bidi)
	e = bob.received(t, "received bidi")
	got, ok = e.(event.FileReceived)
	if !ok || got.Path != filepath.Join(bob.downloads, "invoicefdp.exe") {
		t.Fatalf("got %+v, want invoicefdp.exe", e)
	}
	if l := bob.downloaded(t); len(l) != 2 {
		t.Errorf("downloads %v", l)
	}
	// Nothing appeared anywhere else around bob's folders.
	after := treeOf(t, filepath.Dir(bob.data))
	for p := range after {
		if !before[p] && !strings.HasPrefix(p, bob.data) && !strings.HasPrefix(p, bob.downloads) && !strings.HasPrefix(p, clamdDir) {
			t.Errorf("new file outside the session's folders: %s", p)
		}
	}
	for p := range after {
		if strings.HasSuffix(p, ".bashrc") || strings.ContainsRune(p, '\u202E') {
			t.Errorf("hostile name on disk: %s", p)
		}
	}
}

func treeOf(t *testing.T, root string) map[string]bool {
	m := map[string]bool{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil {
			m[p] = true
		}
		return nil
	})
	return m
}

// TestProsodyFileRefusedSchemes: http, file, data and credential links are
// refused with file_rejected and nothing is fetched.
func TestProsodyFileRefusedSchemes(t *testing.T) {
	srv := prosody(t)
	var hits atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	var conns atomic.Int64
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	go func() {
		for {
			c, err := raw.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			c.Close()
		}
	}()

	bobJID := freshUser(t, srv, "fs", "acme.test")
	alice := startFilePeer(t, srv, freshUser(t, srv, "fs", "acme.test"), "", nil)
	bob := startFilePeer(t, srv, bobJID, "", nil)
	links := []struct{ url, word string }{
		{"http://" + ln.Addr().String() + "/payload.pdf", "http"},
		{"file:///etc/passwd", "file"},
		{"data:text/plain;base64,aGk=", "data"},
		{"javascript:alert(1)", "javascript"},
		{"https://user:secret@upload.acme.test/x.pdf", "password"},
		{"https://" + raw.Addr().String() + "/x.pdf", "local"},
		{"https://[::1]:1/x.pdf", "local"},
	}
	for _, l := range links {
		sendOOB(t, alice.recorder, bobJID, l.url, "")
		e := bob.waitFor("rejection of "+l.url, 20*time.Second, func(e event.Event) bool {
			return isA[event.FileRejected](e) || isA[event.FileOffered](e)
		})
		rej, ok := e.(event.FileRejected)
		if !ok || rej.Code != event.FileBadURL || !strings.Contains(rej.Reason, l.word) {
			t.Errorf("%s: got %+v, want file_rejected bad-url mentioning %q", l.url, e, l.word)
		}
	}
	// A message after them arrives: the links were handled in order.
	sendOOB(t, alice.recorder, bobJID, "ftp://x.example/y", "done")
	bob.message("done")
	if n := hits.Load() + conns.Load(); n != 0 {
		t.Errorf("%d fetches reached the test servers", n)
	}
	if l := bob.quarantined(t); len(l) != 0 {
		t.Errorf("quarantine holds %v", l)
	}
}

// TestProsodyFileFromStranger: a file from an unknown domain is offered but
// not fetched until download_file. The receiver's own upload host
// (localhost) is not configured: it is learned from the server.
func TestProsodyFileFromStranger(t *testing.T) {
	srv := prosody(t)
	clamd := testenv.StartClamd(t)
	bobJID := freshUser(t, srv, "fx", "acme.test")
	mallory := startFilePeer(t, srv, freshUser(t, srv, "fx", "evil.test"), "", nil)
	// evil.test has no upload service here: an acme.test account uploads.
	uploader := startFilePeer(t, srv, freshUser(t, srv, "fx", "acme.test"), "", nil)
	// bob's configuration does not name the upload host: the session
	// learns it from its server when the first local link arrives.
	bob := startFilePeer(t, srv, bobJID, clamd.Socket, func(s *Session) { s.files.ownHosts = map[string]bool{} })
	data := []byte("totally a spreadsheet")
	link := rawUpload(t, uploader.s, "figures.csv", data)
	sendOOB(t, mallory.recorder, bobJID, link, link)
	off := bob.waitFor("offer", 20*time.Second, fileEvent[event.FileOffered]("")).(event.FileOffered)
	if off.Auto || off.Trust.Class != event.ClassUnknown {
		t.Fatalf("offer from a stranger: %+v", off)
	}
	time.Sleep(300 * time.Millisecond)
	if bob.seen(func(e event.Event) bool { return isA[event.FileProgress](e) || isA[event.FileReceived](e) }) {
		t.Fatal("a stranger's file was fetched without download_file")
	}
	bob.s.Do(event.DownloadFile{ID: off.ID})
	e := bob.received(t, "received")
	if got, ok := e.(event.FileReceived); !ok || got.Verdict != event.VerdictClean || got.Path != filepath.Join(bob.downloads, "figures.csv") {
		t.Fatalf("got %+v", e)
	}
}

// BenchmarkProsodyFileRoundTrip10MB uploads a 10 MB file from alice and waits for
// bob's session to download, scan (real clamd) and release it, on loopback.
func BenchmarkProsodyFileRoundTrip10MB(b *testing.B) { benchFileRoundTrip(b, prosody(b)) }

func BenchmarkEjabberdFileRoundTrip10MB(b *testing.B) { benchFileRoundTrip(b, ejabberd(b)) }

func benchFileRoundTrip(b *testing.B, srv *testenv.Server) {
	clamd := testenv.StartClamd(b)
	mk := func(user string) *filePeer {
		p := &filePeer{jid: user, data: b.TempDir(), downloads: b.TempDir()}
		p.recorder = startSessionWith(b, srv, user, opts{dataDir: p.data}, func(s *Session) {
			s.cfg.ClamdSocket = clamd.Socket
			s.cfg.DownloadDir = p.downloads
			s.cfg.UploadHosts = []string{"localhost"}
			s.initFiles()
		})
		p.connected()
		return p
	}
	alice := mk("alice@acme.test")
	bob := mk("bob@acme.test")
	src, _ := writeRandom(b, b.TempDir(), "bench.bin", 10<<20)
	b.SetBytes(10 << 20)
	var up, down time.Duration
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		alice.s.Do(event.SendFile{To: "bob@acme.test", Path: src})
		if e := alice.waitFor("sent", time.Minute, anyFileEnd); !isA[event.FileSent](e) {
			b.Fatalf("%+v", e)
		}
		t1 := time.Now()
		e := bob.waitFor("received", time.Minute, func(e event.Event) bool { return isA[event.FileReceived](e) || isA[event.FileRejected](e) })
		if r, ok := e.(event.FileReceived); !ok || r.Verdict != event.VerdictClean {
			b.Fatalf("%+v", e)
		} else {
			os.Remove(r.Path)
		}
		up += t1.Sub(t0)
		down += time.Since(t1)
	}
	b.ReportMetric(float64(10<<20)/up.Seconds()*float64(b.N)/1e6, "upload-MB/s")
	b.ReportMetric(float64(10<<20)/down.Seconds()*float64(b.N)/1e6, "fetch+scan-MB/s")
}

// TestProsodyFileUploadUntrusted: the upload host presents a certificate
// the account does not trust: file_rejected tls-untrusted describing it,
// and nothing is sent.
func TestProsodyFileUploadUntrusted(t *testing.T) {
	srv := prosody(t)
	var puts atomic.Int64
	impostor := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { puts.Add(1) }))
	impostor.Config.ErrorLog = log.New(io.Discard, "", 0)
	impostor.StartTLS()
	t.Cleanup(impostor.Close)
	alice := startFilePeer(t, srv, freshUser(t, srv, "fu", "acme.test"), "", func(s *Session) {
		s.files.via = impostor.Listener.Addr().String()
	})
	src, _ := writeRandom(t, t.TempDir(), "notes.txt", 1000)
	alice.s.Do(event.SendFile{To: "bob@acme.test", Path: src, ID: "tls"})
	e := alice.waitFor("file_rejected", 30*time.Second, anyFileEnd)
	rej, ok := e.(event.FileRejected)
	if !ok || rej.Code != event.FileTLSUntrusted || !strings.Contains(rej.Reason, "localhost") || !strings.Contains(rej.Reason, "SHA-256 fingerprint") || !strings.Contains(rej.Reason, "issuer") {
		t.Fatalf("got %+v, want file_rejected tls-untrusted naming the host and the certificate", e)
	}
	if puts.Load() != 0 {
		t.Error("the impostor received a request")
	}
}

// TestProsodyFileNoUploadService: partner.test has no upload service on the
// test Prosody: the send is rejected with no-upload-service.
func TestProsodyFileNoUploadService(t *testing.T) {
	srv := prosody(t)
	carol := startFilePeer(t, srv, freshUser(t, srv, "fn", "partner.test"), "", nil)
	src, _ := writeRandom(t, t.TempDir(), "notes.txt", 10)
	carol.s.Do(event.SendFile{To: freshUser(t, srv, "fn", "partner.test"), Path: src})
	e := carol.waitFor("file_rejected", 30*time.Second, anyFileEnd)
	if rej, ok := e.(event.FileRejected); !ok || rej.Code != event.FileNoUpload || !strings.Contains(rej.Reason, "partner.test") {
		t.Fatalf("got %+v, want file_rejected no-upload-service", e)
	}
}
