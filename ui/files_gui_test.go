package ui

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/ui/uidemo"
)

// fileRow is the laid-out file box showing the transfer id.
func fileRow(t *testing.T, h *harness, id string) *fileBox {
	t.Helper()
	for _, o := range test.LaidOutObjects(h.app.main.chat.list) {
		if r, ok := o.(*messageRow); ok && r.Visible() && r.file.root.Visible() && r.file.item != nil && r.file.item.ID == id {
			return r.file
		}
	}
	t.Fatalf("no file row for %s in the open conversation; screen:\n%s", id, h.screenText())
	return nil
}

// visibleButtons are the texts of the box's visible buttons.
func visibleButtons(b *fileBox) []string {
	var out []string
	for _, o := range b.buttons.Objects {
		if btn := o.(*widget.Button); btn.Visible() {
			out = append(out, btn.Text)
		}
	}
	return out
}

func hasButton(b *fileBox, text string) bool {
	for _, s := range visibleButtons(b) {
		if s == text {
			return true
		}
	}
	return false
}

// shownImages counts the pictures drawn under o (visible, with decoded
// pixels; icons are resources and do not count).
func shownImages(o fyne.CanvasObject) int {
	n := 0
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch x := o.(type) {
		case *canvas.Image:
			if x.Image != nil && x.Resource == nil && x.File == "" {
				n++
			}
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return n
}

// attach sends path to the open conversation through the Attach button
// and returns the command.
func attach(t *testing.T, h *harness, path string) event.SendFile {
	t.Helper()
	var title string
	h.app.chooseFile = func(tt string, chosen func(string)) { title = tt; chosen(path) }
	test.Tap(h.app.main.chat.attach)
	if want := "Send a file to " + trustWords(h.app.roster.Trust(h.app.active), h.app.active); title != want || !strings.Contains(title, "(") {
		t.Errorf("file picker title %q, want %q: who, with their trust", title, want)
	}
	sf, ok := lastCmd(h).(event.SendFile)
	if !ok || sf.ID == "" || sf.Path != path {
		t.Fatalf("attach sent %#v, want a SendFile of %s with an id", lastCmd(h), path)
	}
	return sf
}

func TestSendFileProgressCancelRetry(t *testing.T) {
	h := trustedIn(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.pdf")
	if err := os.WriteFile(path, make([]byte, 3000), 0o600); err != nil {
		t.Fatal(err)
	}
	h.app.Open("bob@acme.test")
	sf := attach(t, h, path)
	if sf.To != "bob@acme.test" {
		t.Fatalf("SendFile to %q", sf.To)
	}
	b := fileRow(t, h, sf.ID)
	h.mustSee("plan.pdf", "2.9 KB · to Bob Martin", "Preparing to send")
	if !b.bar.Visible() || !hasButton(b, "Cancel") {
		t.Errorf("waiting upload: bar %v, buttons %v", b.bar.Visible(), visibleButtons(b))
	}

	// The bar follows FileProgress.
	for _, n := range []int64{750, 1500, 2250} {
		h.emit(event.FileProgress{ID: sf.ID, To: "bob@acme.test", Name: "plan.pdf", Bytes: n, Total: 3000})
		b = fileRow(t, h, sf.ID)
		if want := float64(n) / 3000; b.bar.Value != want || !b.bar.Visible() {
			t.Errorf("after %d bytes the bar shows %v (visible %v), want %v", n, b.bar.Value, b.bar.Visible(), want)
		}
	}
	h.mustSee("Sending… 2.2 KB of 2.9 KB")

	// Cancel sends CancelFile; the session answers with FileRejected.
	test.Tap(b.cancel)
	if got := lastCmd(h); got != (event.CancelFile{ID: sf.ID}) {
		t.Fatalf("Cancel sent %#v", got)
	}
	h.emit(event.FileRejected{ID: sf.ID, To: "bob@acme.test", Name: "plan.pdf", Code: event.FileCancelled, Reason: "You cancelled the upload."})
	b = fileRow(t, h, sf.ID)
	h.mustSee("Not sent: You cancelled the upload.")
	if b.bar.Visible() || hasButton(b, "Cancel") || !hasButton(b, "Send again") {
		t.Errorf("cancelled upload: bar %v, buttons %v", b.bar.Visible(), visibleButtons(b))
	}

	// Send again: a new attempt, a new id, the same row.
	test.Tap(b.again)
	again, ok := lastCmd(h).(event.SendFile)
	if !ok || again.ID == sf.ID || again.Path != path || again.To != "bob@acme.test" {
		t.Fatalf("Send again sent %#v", lastCmd(h))
	}
	if n := len(h.app.chats.Conv("bob@acme.test").Messages); n != 1 {
		t.Errorf("conversation has %d rows after sending again, want 1", n)
	}
	h.emit(event.FileProgress{ID: again.ID, To: "bob@acme.test", Bytes: 3000, Total: 3000},
		event.FileSent{ID: again.ID, To: "bob@acme.test", Name: "plan.pdf", URL: "https://upload.acme.test/x/plan.pdf", Size: 3000})
	b = fileRow(t, h, again.ID)
	if b.status.Text != "Sent" || b.bar.Visible() || len(visibleButtons(b)) != 0 {
		t.Errorf("sent file: %q, bar %v, buttons %v", b.status.Text, b.bar.Visible(), visibleButtons(b))
	}
	// The upload URL is not shown, let alone as a link.
	h.mustNotSee("https://upload.acme.test")
}

func TestSendFileRejectedAndRefused(t *testing.T) {
	h := trustedIn(t)
	h.app.Open("carol@partner.test")
	sf := attach(t, h, "/home/alice/video.mp4")
	h.emit(event.FileRejected{ID: sf.ID, To: "carol@partner.test", Name: "video.mp4", Code: event.FileTooLarge,
		Reason: "The upload service accepts files up to 100 MB; video.mp4 is 2 GB."})
	b := fileRow(t, h, sf.ID)
	if b.status.Text != "Not sent: The upload service accepts files up to 100 MB; video.mp4 is 2 GB." || b.status.Importance != widget.DangerImportance {
		t.Errorf("rejected: %q (importance %v)", b.status.Text, b.status.Importance)
	}
	if !hasButton(b, "Send again") {
		t.Errorf("rejected upload offers %v, want Send again", visibleButtons(b))
	}

	// A policy refusal for that id is shown in its row; sending again
	// would meet the same rule, so it is not offered.
	sf2 := attach(t, h, "/home/alice/setup.exe")
	tr := tPartner
	h.emit(event.Refused{Command: "sendfile", ID: sf2.ID, To: "carol@partner.test", Code: event.RefusedFilePolicy,
		Reason: ".exe files are blocked by ACME IT.", Trust: &tr})
	b = fileRow(t, h, sf2.ID)
	if b.status.Text != "Not sent: .exe files are blocked by ACME IT." || hasButton(b, "Send again") {
		t.Errorf("refused: %q, buttons %v", b.status.Text, visibleButtons(b))
	}
	if h.app.win.Canvas().Overlays().Top() != nil || h.app.lastErr != "" {
		t.Error("a refused file went to a dialog or the error line, not its row")
	}
}

func TestOfferFromStrangerNeedsDownload(t *testing.T) {
	h := trustedIn(t)
	h.app.Open("eve@evil.test")
	link := "https://files.evil.test/share/invoice.pdf"
	h.emit(event.Message{ID: "m1", From: "eve@evil.test/x", Body: link, Time: time.Now(), Trust: tUnknown},
		event.FileOffered{ID: "f1", From: "eve@evil.test/x", Name: "invoice.pdf", Size: 48000, URL: link, Trust: tUnknown, Auto: false})
	// The message that carried the link is the file row: no link to click.
	if n := len(h.app.chats.Conv("eve@evil.test").Messages); n != 1 {
		t.Errorf("conversation has %d rows, want the one file row", n)
	}
	for _, o := range test.LaidOutObjects(h.app.main.chat.list) {
		if l, ok := o.(*widget.Hyperlink); ok && l.Visible() {
			t.Errorf("the offered file's URL is a link: %q", l.Text)
		}
	}
	h.mustNotSee(link)
	b := fileRow(t, h, "f1")
	h.mustSee("invoice.pdf", "47 KB · from Eve (eve@evil.test)", "External · evil.test",
		"From an external contact: files can carry malware; it will be scanned.")
	if b.bar.Visible() || !hasButton(b, "Download") || hasButton(b, "Open") {
		t.Errorf("offer: bar %v, buttons %v", b.bar.Visible(), visibleButtons(b))
	}
	test.Tap(b.download)
	if got := lastCmd(h); got != (event.DownloadFile{ID: "f1"}) {
		t.Fatalf("Download sent %#v", got)
	}
	h.emit(event.FileProgress{ID: "f1", From: "eve@evil.test/x", Name: "invoice.pdf", Bytes: 24000, Total: 48000})
	b = fileRow(t, h, "f1")
	if b.bar.Value != 0.5 || hasButton(b, "Download") || !hasButton(b, "Cancel") {
		t.Errorf("downloading: bar %v, buttons %v", b.bar.Value, visibleButtons(b))
	}
	// Infected: a red line with the reason, nothing to open.
	h.emit(event.FileRejected{ID: "f1", From: "eve@evil.test/x", Name: "invoice.pdf", Code: event.FileInfected,
		Reason: "The scanner found Win.Test.EICAR_HDB-1 in invoice.pdf; it was deleted."})
	b = fileRow(t, h, "f1")
	if b.status.Text != "The scanner found Win.Test.EICAR_HDB-1 in invoice.pdf; it was deleted." ||
		b.status.Importance != widget.DangerImportance || len(visibleButtons(b)) != 0 || b.bar.Visible() {
		t.Errorf("infected: %q, importance %v, buttons %v", b.status.Text, b.status.Importance, visibleButtons(b))
	}
}

func TestUnscannedScanAgain(t *testing.T) {
	h := trustedIn(t)
	h.app.Open("carol@partner.test")
	h.emit(event.FileOffered{ID: "f2", From: "carol@partner.test/x", Name: "contract.docx", Size: -1, URL: "https://up.partner.test/c.docx", Trust: tPartner, Auto: true})
	b := fileRow(t, h, "f2")
	h.mustSee("Downloading…", "size unknown")
	if !b.bar.Visible() || hasButton(b, "Download") {
		t.Errorf("automatic download: bar %v, buttons %v", b.bar.Visible(), visibleButtons(b))
	}
	h.emit(event.FileReceived{ID: "f2", From: "carol@partner.test/x", Name: "contract.docx", Path: "/q/contract.docx", Size: 2048,
		Verdict: event.VerdictUnscanned, Scanner: "the virus scanner is not running"})
	b = fileRow(t, h, "f2")
	h.mustSee("Not scanned: kept in quarantine", "The virus scanner is not running.")
	if b.status.Importance != widget.WarningImportance || !b.status.TextStyle.Bold {
		t.Errorf("unscanned status is not a clear warning: importance %v", b.status.Importance)
	}
	if hasButton(b, "Open") || hasButton(b, "Show in folder") || !hasButton(b, "Scan again") {
		t.Errorf("unscanned: buttons %v", visibleButtons(b))
	}
	test.Tap(b.scan)
	if got := lastCmd(h); got != (event.RetryScan{ID: "f2"}) {
		t.Fatalf("Scan again sent %#v", got)
	}
}

// writePNG writes a w x h picture.
func writePNG(t *testing.T, path string, w, h int) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, color.NRGBA{R: uint8(x), G: uint8(y), B: 200, A: 255})
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestThumbnailOnlyAfterCleanVerdict(t *testing.T) {
	h := trustedIn(t)
	var opened []string
	h.app.openURL = func(u *url.URL) error { opened = append(opened, u.String()); return nil }
	dir := t.TempDir()
	q := filepath.Join(dir, "quarantine", "photo.png")
	dl := filepath.Join(dir, "Downloads", "photo.png")
	for _, p := range []string{q, dl} {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		writePNG(t, p, 640, 480)
	}
	h.app.Open("bob@acme.test")
	pane := h.app.main.chat.list
	h.emit(event.FileOffered{ID: "img", From: "bob@acme.test/pc", Name: "photo.png", Size: 9000, URL: "https://up.acme.test/photo.png", Trust: tInternal, Auto: true},
		event.FileProgress{ID: "img", From: "bob@acme.test/pc", Bytes: 9000, Total: 9000},
		event.FileReceived{ID: "img", From: "bob@acme.test/pc", Name: "photo.png", Path: q, Size: 9000, Verdict: event.VerdictUnscanned})
	if n := shownImages(pane); n != 0 {
		t.Fatalf("%d images shown before a clean verdict", n)
	}
	if len(h.app.thumbs) != 0 {
		t.Fatal("an image was decoded before a clean verdict")
	}
	b := fileRow(t, h, "img")
	if hasButton(b, "Open") {
		t.Error("an unscanned file can be opened")
	}
	h.emit(event.FileReceived{ID: "img", From: "bob@acme.test/pc", Name: "photo.png", Path: dl, Size: 9000, Verdict: event.VerdictClean})
	if n := shownImages(pane); n != 1 {
		t.Fatalf("%d images shown after the clean verdict, want the thumbnail", n)
	}
	b = fileRow(t, h, "img")
	if s := b.thumb.Image.Bounds().Size(); s != (image.Point{X: 266, Y: 200}) {
		t.Errorf("thumbnail %v, want 640x480 scaled to fit %dx%d: 266x200", s, thumbW, thumbH)
	}
	h.mustSee("Scanned: no threat found")
	test.Tap(b.open)
	test.Tap(b.folder)
	want := []string{storage.NewFileURI(dl).String(), storage.NewFileURI(filepath.Dir(dl)).String()}
	if strings.Join(opened, " ") != strings.Join(want, " ") {
		t.Errorf("opened %v, want %v", opened, want)
	}
}

func TestThumbnailsKeptAreBounded(t *testing.T) {
	h := signedIn(t)
	img := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	for i := 0; i < maxThumbs+5; i++ {
		h.app.keepThumb(fmt.Sprint("t", i), img)
	}
	if len(h.app.thumbs) != maxThumbs || h.app.thumbs["t0"] != nil || h.app.thumbs[fmt.Sprint("t", maxThumbs+4)] == nil {
		t.Errorf("%d thumbnails kept; the oldest should go first", len(h.app.thumbs))
	}
}

func TestThumbnailBounds(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.png")
	writePNG(t, big, 9000, 5000) // 45 million pixels: not decoded
	if _, err := thumbnail(big); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("a 9000x5000 picture: %v, want refused as too large", err)
	}
	notImage := filepath.Join(dir, "fake.png")
	if err := os.WriteFile(notImage, []byte("MZ this is not a picture"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := thumbnail(notImage); err == nil {
		t.Error("a file that is not a picture made a thumbnail")
	}
	small := filepath.Join(dir, "small.png")
	writePNG(t, small, 40, 30)
	img, err := thumbnail(small)
	if err != nil || img.Bounds().Dx() != 40 || img.Bounds().Dy() != 30 {
		t.Errorf("a small picture: %v, %v; want it as it is", img, err)
	}
}

func TestDropFilesOnChat(t *testing.T) {
	h := trustedIn(t)
	h.app.Open("bob@acme.test")
	p := h.app.main.chat
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(p.root)
	inside := at.Add(fyne.NewPos(40, 40))
	n := len(h.backend().commands())
	h.app.dropped(fyne.NewPos(5, 5), []fyne.URI{storage.NewFileURI("/home/alice/a.txt")}) // on the roster
	if len(h.backend().commands()) != n {
		t.Fatalf("a drop outside the chat sent %#v", lastCmd(h))
	}
	h.app.dropped(inside, []fyne.URI{storage.NewFileURI("/home/alice/a.txt"), storage.NewFileURI("/home/alice/b.png")})
	cmds := h.backend().commands()[n:]
	if len(cmds) != 2 {
		t.Fatalf("two dropped files sent %#v", cmds)
	}
	for i, want := range []string{"/home/alice/a.txt", "/home/alice/b.png"} {
		sf, ok := cmds[i].(event.SendFile)
		if !ok || sf.To != "bob@acme.test" || sf.Path != want || sf.ID == "" {
			t.Errorf("drop %d sent %#v", i, cmds[i])
		}
	}
	h.mustSee("a.txt", "b.png")

	// Files to a peer the policy refuses are not sent; the reason is shown.
	h.app.Open("sam@globex.test")
	n = len(h.backend().commands())
	h.app.dropped(inside, []fyne.URI{storage.NewFileURI("/home/alice/a.txt")})
	if len(h.backend().commands()) != n {
		t.Errorf("a drop on a chat whose files are refused sent %#v", lastCmd(h))
	}
	h.mustSee("File not sent: Files cannot be sent to Globex: not allowed by ACME IT.")
}

func TestFileFromRequestWaitsForAccept(t *testing.T) {
	h := trustedIn(t)
	link := "https://x.bad.test/cv.pdf"
	unk := event.Trust{Class: event.ClassUnknown, Domain: "bad.test"}
	h.emit(event.Message{ID: "r1", From: "trudy@bad.test/x", Body: link, Time: time.Now(), Request: true, Trust: unk},
		event.FileOffered{ID: "f9", From: "trudy@bad.test/x", Name: "cv.pdf", Size: 100, URL: link, Trust: unk})
	if h.app.chats.Has("trudy@bad.test") {
		t.Fatal("a file from a request opened a conversation before Accept")
	}
	h.mustSee("Requests (1)")
	test.Tap(requestButton(t, h, "Accept"))
	acc := unk
	acc.Accepted = true
	h.emit(event.Accepted{JID: "trudy@bad.test", Trust: acc})
	ms := h.app.chats.Conv("trudy@bad.test").Messages
	if len(ms) != 1 || ms[0].File == nil || ms[0].File.ID != "f9" {
		t.Fatalf("after Accept the conversation is %+v, want the file row in place of its link", ms)
	}
	b := fileRow(t, h, "f9")
	if !hasButton(b, "Download") {
		t.Errorf("accepted stranger's file offers %v", visibleButtons(b))
	}
}

// The demo backend plays every file state, as the screenshot shows them.
func TestDemoBackendFiles(t *testing.T) {
	h, waitFor := demoSignedIn(t)
	state := func(id string) FileState {
		if f := h.app.chats.File(id); f != nil {
			return f.State
		}
		return -1
	}
	waitFor("the offer from the stranger", func() bool { return state("demo-f-zoe") == FileOffer })
	for id, want := range map[string]FileState{"demo-f-notes": FileDone, "demo-f-dash": FileClean, "demo-f-logs": FileUnscanned, "demo-f-inv": FileFailed} {
		if got := state(id); got != want {
			t.Errorf("demo file %s: state %v, want %v", id, got, want)
		}
	}
	if h.app.thumbs["demo-f-dash"] == nil || h.app.thumbs["demo-f-logs"] != nil {
		t.Error("demo thumbnails: want one for the clean picture only")
	}
	if f := h.app.chats.File("demo-f-inv"); !strings.Contains(f.Reason, "EICAR") {
		t.Errorf("infected demo file: %q", f.Reason)
	}
	if f := h.app.chats.File("demo-f-zoe"); f.Auto || f.Peer != uidemo.Stranger || f.Trust.Class != event.ClassUnknown {
		t.Errorf("the stranger's file: %+v", f)
	}

	// Download: progress, then clean.
	h.app.downloadFile(h.app.chats.File("demo-f-zoe"))
	sawProgress := false
	waitFor("the download", func() bool {
		f := h.app.chats.File("demo-f-zoe")
		sawProgress = sawProgress || (f.State == FileDownloading && f.Bytes > 0)
		return f.State == FileClean
	})
	if !sawProgress {
		t.Error("the demo download showed no progress")
	}
	// An upload: progress, then sent; another one cancelled.
	path := filepath.Join(t.TempDir(), "q3.xlsx")
	if err := os.WriteFile(path, make([]byte, 120_000), 0o600); err != nil {
		t.Fatal(err)
	}
	h.app.sendFile("bob@acme.test", path)
	h.app.sendFile("bob@acme.test", path)
	ms := h.app.chats.Conv("bob@acme.test").Messages
	first, second := ms[len(ms)-2].File, ms[len(ms)-1].File
	waitFor("upload progress", func() bool { return second.State == FileUploading })
	h.app.cancelFile(second)
	waitFor("the upload", func() bool { return first.State == FileDone && second.State == FileFailed })
	if second.Code != event.FileCancelled || !second.CanRetry() {
		t.Errorf("cancelled upload: %+v", second)
	}
	// Scan again finds the quarantined file clean.
	h.app.retryScan(h.app.chats.File("demo-f-logs"))
	waitFor("the second scan", func() bool { return state("demo-f-logs") == FileClean })
	h.app.closeWindow()
	waitFor("the demo to close", func() bool { return h.app.stopped })
}

// A file link the session refused (not a safe https URL) is not left in
// the conversation as a link to click: its message becomes the red row.
func TestRefusedLinkReplacesItsMessage(t *testing.T) {
	h := trustedIn(t)
	h.app.Open("bob@acme.test")
	h.emit(event.Message{ID: "m1", From: "bob@acme.test/pc", Body: "see the file below", Time: time.Now(), Trust: tInternal},
		event.Message{ID: "m2", From: "bob@acme.test/pc", Body: "http://files.acme.test/report.pdf", Time: time.Now(), Trust: tInternal},
		event.FileRejected{ID: "x1", From: "bob@acme.test/pc", Name: "report.pdf", Code: event.FileBadURL,
			Reason: "The file link from bob@acme.test was not downloaded: only https links are fetched."})
	ms := h.app.chats.Conv("bob@acme.test").Messages
	if len(ms) != 2 || ms[1].File == nil || ms[1].File.ID != "x1" || ms[0].File != nil {
		t.Fatalf("conversation %+v: want the link's message to be the rejected file", ms)
	}
	h.mustSee("see the file below", "report.pdf")
	if b := fileRow(t, h, "x1"); b.status.Text != "The file link from bob@acme.test was not downloaded: only https links are fetched." || len(visibleButtons(b)) != 0 {
		t.Errorf("refused link: %q, buttons %v", b.status.Text, visibleButtons(b))
	}
	h.mustNotSee("http://files.acme.test/report.pdf")
	for _, o := range test.LaidOutObjects(h.app.main.chat.list) {
		if l, ok := o.(*widget.Hyperlink); ok && l.Visible() {
			t.Errorf("a refused file link is still a link: %q", l.Text)
		}
	}
	// An offer finds its message even when the URL is spelled differently.
	h.emit(event.Message{ID: "m3", From: "bob@acme.test/pc", Body: "https://up.acme.test/a%20b.pdf", Time: time.Now(), Trust: tInternal},
		event.FileOffered{ID: "x2", From: "bob@acme.test/pc", Name: "a b.pdf", Size: 10, URL: "https://up.acme.test/a b.pdf", Trust: tInternal, Auto: true})
	if ms := h.app.chats.Conv("bob@acme.test").Messages; len(ms) != 3 || ms[2].File == nil || ms[2].File.ID != "x2" {
		t.Fatalf("conversation %+v: want the offer in place of its message", ms)
	}
}

// A file that came without a message of its own counts as unread where
// the user is not looking; one that replaced its message does not count
// twice.
func TestIncomingFileUnread(t *testing.T) {
	h := trustedIn(t)
	h.app.Open("bob@acme.test")
	h.emit(event.FileOffered{ID: "u1", From: "carol@partner.test/x", Name: "a.pdf", Size: 1, URL: "https://up.partner.test/a.pdf", Trust: tPartner, Auto: true})
	if n := h.app.roster.Unread("carol@partner.test"); n != 1 {
		t.Errorf("unread after a file alone: %d, want 1", n)
	}
	h.emit(event.Message{ID: "m1", From: "carol@partner.test/x", Body: "https://up.partner.test/b.pdf", Time: time.Now(), Trust: tPartner},
		event.FileOffered{ID: "u2", From: "carol@partner.test/x", Name: "b.pdf", Size: 1, URL: "https://up.partner.test/b.pdf", Trust: tPartner, Auto: true})
	if n := h.app.roster.Unread("carol@partner.test"); n != 2 {
		t.Errorf("unread after a file with its message: %d, want 2", n)
	}
	h.emit(event.FileOffered{ID: "u3", From: "bob@acme.test/pc", Name: "c.pdf", Size: 1, URL: "https://up.acme.test/c.pdf", Trust: tInternal, Auto: true})
	if n := h.app.roster.Unread("bob@acme.test"); n != 0 {
		t.Errorf("unread in the open conversation: %d", n)
	}
}

// An error answering a sendfile command goes to the row with its id, not
// to whichever file has waited longest.
func TestSendFileErrorByID(t *testing.T) {
	h := trustedIn(t)
	h.app.Open("carol@partner.test")
	first := attach(t, h, "/home/alice/plan.pdf")
	second := attach(t, h, "/home/alice/gone.pdf")
	h.emit(event.Error{Command: "sendfile", ID: second.ID, Code: event.CodeBadCommand, Message: "The file /home/alice/gone.pdf does not exist."})
	if b := fileRow(t, h, second.ID); !strings.Contains(b.status.Text, "does not exist") {
		t.Errorf("second file: %q, want the error", b.status.Text)
	}
	if b := fileRow(t, h, first.ID); strings.Contains(b.status.Text, "does not exist") {
		t.Errorf("first file took the second's error: %q", b.status.Text)
	}
}

// Ctrl+V with an image on the clipboard sends it as a PNG file to the open
// conversation; with none, the composer pastes text as usual; to a peer who
// may not receive files, nothing is written or sent and the reason is shown.
func TestPasteImage(t *testing.T) {
	h := trustedIn(t)
	png := []byte("\x89PNG\r\n\x1a\n fake image bytes")
	var clip []byte
	h.app.opts.ClipboardImage = func() []byte { return clip }
	clipboard := h.app.win.Clipboard() // the test driver's is not shared between calls
	paste := func() {
		h.app.main.chat.composer.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clipboard})
	}

	h.app.Open("bob@acme.test")
	clipboard.SetContent("plain text")
	before := len(h.backend().commands())
	paste()
	if got := h.app.main.chat.composer.Text; got != "plain text" {
		t.Errorf("without an image, the composer holds %q, want the pasted text", got)
	}
	for _, c := range h.backend().commands()[before:] {
		if _, ok := c.(event.SendFile); ok {
			t.Errorf("a text paste sent %#v", c)
		}
	}

	h.app.main.chat.composer.SetText("")
	clip = png
	paste()
	sf, ok := lastCmd(h).(event.SendFile)
	if !ok || sf.To != "bob@acme.test" || sf.ID == "" || !strings.HasSuffix(sf.Path, ".png") || !strings.Contains(filepath.Base(sf.Path), "Pasted image") {
		t.Fatalf("image paste sent %#v, want a SendFile of a Pasted image ….png to bob", lastCmd(h))
	}
	t.Cleanup(func() { os.Remove(sf.Path) })
	if got, err := os.ReadFile(sf.Path); err != nil || string(got) != string(png) {
		t.Errorf("pasted file holds %q (%v), want the clipboard's bytes", got, err)
	}
	if fi, err := os.Stat(sf.Path); err == nil && fi.Mode().Perm() != 0o600 {
		t.Errorf("pasted file mode %v, want 0600", fi.Mode().Perm())
	}
	if h.app.main.chat.composer.Text != "" {
		t.Errorf("the image paste also pasted text: %q", h.app.main.chat.composer.Text)
	}
	fileRow(t, h, sf.ID)

	h.app.Open("eve@evil.test")
	n := len(h.backend().commands())
	paste()
	if len(h.backend().commands()) != n {
		t.Errorf("an image paste to an outsider sent %v", h.backend().commands()[n:])
	}
	said := false
	for _, m := range h.app.chats.Conv("eve@evil.test").Messages {
		said = said || (m.System && strings.HasPrefix(m.Body, "Image not sent: Files cannot be sent to evil.test"))
	}
	if !said {
		t.Errorf("no system line says why the image was not sent: %+v", h.app.chats.Conv("eve@evil.test").Messages)
	}
}
