package uidemo

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/palisade-im/palisade/event"
)

// Files in the demo: the answers the session would give (progress over
// time, sent, cancelled, downloads, scan verdicts) without a server or a
// scanner. Received files are small real files in a temporary folder, so
// that Open and the thumbnail of a clean image work.

// Stranger is the accepted external contact who offers a file that needs
// Download.
const Stranger = "zoe@freelance.test"

// fileDemo is the demo's share of file transfers.
type fileDemo struct {
	mu      sync.Mutex
	running map[string]chan struct{} // transfers in progress: closed to cancel
	offers  map[string]event.FileOffered
	n       int
}

// demoDir is where the demo's received files are written.
func demoDir() string { return filepath.Join(os.TempDir(), "palisade-uidemo") }

// demoFile writes a received file for the demo and returns its path.
func demoFile(sub, name string, data []byte) string {
	dir := filepath.Join(demoDir(), sub)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return filepath.Join(dir, name)
	}
	p := filepath.Join(dir, name)
	_ = os.WriteFile(p, data, 0o600)
	return p
}

// dashboardPNG is a small picture of a chart, for the clean image.
func dashboardPNG() []byte {
	const w, h = 480, 300
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, color.NRGBA{R: 245, G: 247, B: 250, A: 255})
		}
	}
	bars := []int{120, 180, 150, 230, 210, 260, 240}
	cols := []color.NRGBA{{R: 33, G: 150, B: 243, A: 255}, {R: 76, G: 175, B: 80, A: 255}}
	for i, bh := range bars {
		x0 := 40 + i*60
		for y := h - 30 - bh; y < h-30; y++ {
			for x := x0; x < x0+40; x++ {
				img.SetNRGBA(x, y, cols[i%2])
			}
		}
	}
	for x := 30; x < w-20; x++ {
		img.SetNRGBA(x, h-30, color.NRGBA{R: 90, G: 90, B: 90, A: 255})
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

// fileScript plays the file states of the demo, after the conversations.
func (b *Backend) fileScript(now time.Time) {
	// Bob: a clean picture with its thumbnail, an archive kept in
	// quarantine because the scanner was not running, and a file alice
	// sent.
	png := dashboardPNG()
	img := demoFile("Downloads", "staging-dashboard.png", png)
	dash := "https://upload.acme.test/c3d4/staging-dashboard.png"
	b.emit(event.Message{ID: "demo-f-dash", From: "bob@acme.test/laptop", To: Self, Body: dash, Time: now.Add(-3 * time.Minute), Trust: internal})
	b.emit(event.FileOffered{ID: "demo-f-dash", From: "bob@acme.test/laptop", Name: "staging-dashboard.png", Size: int64(len(png)), URL: dash, Trust: internal, Auto: true})
	b.emit(event.FileReceived{ID: "demo-f-dash", From: "bob@acme.test/laptop", Name: "staging-dashboard.png", Path: img, Size: int64(len(png)),
		Verdict: event.VerdictClean, Scanner: "OK"})
	logs := "https://upload.acme.test/e5f6/build-logs.tar.gz"
	b.emit(event.Message{ID: "demo-f-logs", From: "bob@acme.test/laptop", To: Self, Body: logs, Time: now.Add(-2 * time.Minute), Trust: internal})
	b.emit(event.FileOffered{ID: "demo-f-logs", From: "bob@acme.test/laptop", Name: "build-logs.tar.gz", Size: 4_300_000, URL: logs, Trust: internal, Auto: true})
	b.emit(event.FileReceived{ID: "demo-f-logs", From: "bob@acme.test/laptop", Name: "build-logs.tar.gz",
		Path: demoFile("quarantine", "build-logs.tar.gz", []byte("demo")), Size: 4_300_000,
		Verdict: event.VerdictUnscanned, Scanner: "the virus scanner is not running"})
	b.emit(event.FileSent{ID: "demo-f-notes", To: "bob@acme.test", Name: "release-notes-4.2.pdf", Size: 182_400,
		URL: "https://upload.acme.test/a1b2/release-notes-4.2.pdf"})

	// Carol (a colleague): a large file alice is sending, slowly.
	b.progress("demo-f-q3", "carol@acme.test", "", "q3-figures.xlsx", 48_000_000, 90*time.Second, func() {
		b.emit(event.FileSent{ID: "demo-f-q3", To: "carol@acme.test", Name: "q3-figures.xlsx", Size: 48_000_000,
			URL: "https://upload.acme.test/g7h8/q3-figures.xlsx"})
	})

	// Carol at the partner: a file the scanner found infected, deleted.
	inv := "https://share.partner.test/u/invoice-4711.zip"
	b.emit(event.Message{ID: "demo-f-inv", From: "carol@partner.test/office", To: Self, Body: inv, Time: now.Add(-14 * time.Minute), Trust: partner})
	b.emit(event.FileOffered{ID: "demo-f-inv", From: "carol@partner.test/office", Name: "invoice-4711.zip", Size: 73_000, URL: inv, Trust: partner, Auto: true})
	b.emit(event.FileRejected{ID: "demo-f-inv", From: "carol@partner.test/office", Name: "invoice-4711.zip", Code: event.FileInfected,
		Reason: "The virus scanner found Win.Test.EICAR_HDB-1 in invoice-4711.zip; the file was deleted and IT was told."})

	// An external contact alice accepted earlier offers a file: it waits
	// for Download.
	b.mu.Lock()
	b.accepted[Stranger] = true
	b.mu.Unlock()
	st := b.trustOf(Stranger)
	pf := "https://files.freelance.test/s/portfolio.pdf"
	b.emit(event.Message{ID: "demo-z1", From: Stranger + "/web", To: Self, Body: "Hi Alice, as promised, my portfolio for the design contract:", Time: now.Add(-6 * time.Minute), Trust: st})
	b.emit(event.Message{ID: "demo-z2", From: Stranger + "/web", To: Self, Body: pf, Time: now.Add(-6 * time.Minute), Trust: st})
	offer := event.FileOffered{ID: "demo-f-zoe", From: Stranger + "/web", Name: "portfolio.pdf", Size: 2_600_000, URL: pf, Trust: st}
	b.files.mu.Lock()
	b.files.offers[offer.ID] = offer
	b.files.mu.Unlock()
	b.emit(offer)
}

// progress plays a transfer: FileProgress in steps over d, then done,
// unless it is cancelled first (FileRejected, cancelled).
func (b *Backend) progress(id, to, from, name string, total int64, d time.Duration, done func()) {
	stop := make(chan struct{})
	b.files.mu.Lock()
	b.files.running[id] = stop
	b.files.mu.Unlock()
	go func() {
		const steps = 12
		t := time.NewTicker(d / steps)
		defer t.Stop()
		for i := 1; i <= steps; i++ {
			select {
			case <-stop:
				b.emit(event.FileRejected{ID: id, To: to, From: from, Name: name, Code: event.FileCancelled, Reason: "Cancelled: nothing was kept."})
				return
			case <-t.C:
			}
			b.emit(event.FileProgress{ID: id, To: to, From: from, Name: name, Bytes: total * int64(i) / steps, Total: total})
		}
		b.files.mu.Lock()
		delete(b.files.running, id)
		b.files.mu.Unlock()
		done()
	}()
}

// sendFile answers SendFile as the session would: refused by the policy,
// a file that cannot be read, or an upload with progress.
func (b *Backend) sendFile(c event.SendFile) {
	t := b.trustOf(c.To)
	id := c.ID
	if id == "" {
		b.files.mu.Lock()
		b.files.n++
		id = "demo-file-" + strconv.Itoa(b.files.n)
		b.files.mu.Unlock()
	}
	if !t.FileSend {
		b.later(50*time.Millisecond, event.Refused{Command: c.CommandName(), ID: id, To: c.To, Code: event.RefusedFilePolicy,
			Reason: "Files cannot be sent to " + c.To + ": " + t.FileReason, Trust: &t})
		return
	}
	fi, err := os.Stat(c.Path)
	if err != nil || !fi.Mode().IsRegular() {
		b.later(50*time.Millisecond, event.Error{Command: c.CommandName(), Code: event.CodeBadCommand, Message: "The file " + c.Path + " cannot be read."})
		return
	}
	name := filepath.Base(c.Path)
	size := fi.Size()
	b.progress(id, c.To, "", name, size, 4*time.Second, func() {
		b.emit(event.FileSent{ID: id, To: c.To, Name: name, Size: size, URL: "https://upload.acme.test/demo/" + name})
	})
}

// downloadFile fetches an offer that waited for Download: the scan finds
// it clean.
func (b *Backend) downloadFile(c event.DownloadFile) {
	b.files.mu.Lock()
	o, ok := b.files.offers[c.ID]
	delete(b.files.offers, c.ID)
	b.files.mu.Unlock()
	if !ok {
		b.later(20*time.Millisecond, event.Error{Command: c.CommandName(), Code: event.CodeBadCommand, Message: "No file offer " + c.ID + " is waiting."})
		return
	}
	b.progress(o.ID, "", o.From, o.Name, o.Size, 3*time.Second, func() {
		p := demoFile("Downloads", o.Name, []byte("%PDF-1.4\n% demo\n"))
		b.emit(event.FileReceived{ID: o.ID, From: o.From, Name: o.Name, Path: p, Size: o.Size, Verdict: event.VerdictClean, Scanner: "OK"})
	})
}

// cancelFile stops a transfer in progress.
func (b *Backend) cancelFile(c event.CancelFile) {
	b.files.mu.Lock()
	stop, ok := b.files.running[c.ID]
	delete(b.files.running, c.ID)
	b.files.mu.Unlock()
	if ok {
		close(stop)
	}
}

// retryScan scans the quarantined file again: the scanner is back and
// finds it clean.
func (b *Backend) retryScan(c event.RetryScan) {
	if c.ID != "demo-f-logs" {
		b.later(20*time.Millisecond, event.Error{Command: c.CommandName(), Code: event.CodeBadCommand, Message: "No file " + c.ID + " waits in quarantine."})
		return
	}
	p := demoFile("Downloads", "build-logs.tar.gz", []byte("demo"))
	b.later(800*time.Millisecond, event.FileReceived{ID: c.ID, From: "bob@acme.test/laptop", Name: "build-logs.tar.gz", Path: p, Size: 4_300_000,
		Verdict: event.VerdictClean, Scanner: "OK"})
}
