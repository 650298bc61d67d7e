package ui

import (
	"errors"
	"fyne.io/fyne/v2/lang"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"

	"github.com/palisade-im/palisade/event"
)

// This file is the GUI side of file transfers: the commands behind the
// file rows' buttons and the events that move a row along. The session
// decides (policy, URL checks, scanning); the GUI shows its answers.

// sendFile asks the session to send the file at path to jid, under an id
// the GUI picks, and shows the file in the conversation at once. The policy
// decides there; a refusal comes back as an event and is shown in the row.
func (a *App) sendFile(jid, path string) {
	jid = bareJID(jid)
	if jid == "" || path == "" {
		return
	}
	size := int64(-1)
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	f := &FileItem{ID: newID(), Peer: jid, Outgoing: true, Name: filepath.Base(path), Path: path, Size: size, Total: size}
	a.lastFileTo = jid
	a.chats.AddFile(f, a.now())
	a.roster.Touch(jid)
	a.do(event.SendFile{To: jid, Path: path, ID: f.ID})
	a.fileChanged(f)
}

// sendAgain sends a failed file again: a new attempt with a new id, in the
// same row.
func (a *App) sendAgain(f *FileItem) {
	if !f.CanRetry() {
		return
	}
	a.chats.Rekey(f, newID())
	f.State, f.Reason, f.Code, f.Bytes = FileWaiting, "", "", 0
	a.do(event.SendFile{To: f.Peer, Path: f.Path, ID: f.ID})
	a.fileChanged(f)
}

// cancelFile stops an upload or a download; FileRejected (cancelled) follows.
func (a *App) cancelFile(f *FileItem) {
	if f.Running() {
		a.do(event.CancelFile{ID: f.ID})
	}
}

// downloadFile fetches a file the session did not fetch by itself.
func (a *App) downloadFile(f *FileItem) {
	if f.State != FileOffer {
		return
	}
	f.State, f.Bytes = FileDownloading, 0
	a.do(event.DownloadFile{ID: f.ID})
	a.fileChanged(f)
}

// retryScan asks the session to scan a quarantined file again.
func (a *App) retryScan(f *FileItem) {
	if f.State == FileUnscanned {
		f.Scanner = lang.L("Scanning again…")
		a.do(event.RetryScan{ID: f.ID})
		a.fileChanged(f)
	}
}

// fileURL is the file:// URL of a local path.
func fileURL(path string) (*url.URL, error) {
	return url.Parse(storage.NewFileURI(path).String())
}

// openFile opens a received file that was scanned clean with the system's
// application for it. Nothing else can be opened.
func (a *App) openFile(f *FileItem) {
	if f.State != FileClean || f.Path == "" {
		return
	}
	if u, err := fileURL(f.Path); err == nil {
		a.reportOpen(a.openURL(u), f.Name)
	}
}

// showInFolder opens the folder holding a clean received file.
func (a *App) showInFolder(f *FileItem) {
	if f.State != FileClean || f.Path == "" {
		return
	}
	if u, err := fileURL(filepath.Dir(f.Path)); err == nil {
		a.reportOpen(a.openURL(u), filepath.Dir(f.Path))
	}
}

func (a *App) reportOpen(err error, what string) {
	if err != nil {
		a.lastErr = lang.L("Cannot open {{.What}}: {{.Err}}", tv{"What": what, "Err": err.Error()})
		a.refreshBannerQuiet()
	}
}

// fileChanged redraws f's row when its conversation is open. A row that
// grows (a thumbnail) keeps the newest message in view if it was.
func (a *App) fileChanged(f *FileItem) {
	if a.onMain && f.conv == a.active && a.active != "" {
		a.main.chatChanged(true)
	}
}

// dropped sends the files dropped on the chat pane to the open
// conversation, as the Attach button would.
func (a *App) dropped(pos fyne.Position, uris []fyne.URI) {
	if !a.onMain || a.active == "" || a.gated(a.active) || !a.main.chat.contains(pos) {
		return
	}
	jid := a.active
	t := a.roster.Trust(jid)
	for _, u := range uris {
		if u == nil || u.Scheme() != "file" {
			continue
		}
		if !FileSendAllowed(t) {
			// The policy's answer is known: say it where the file was dropped.
			_, why := ComposerHints(t, jid)
			a.chats.System(jid, lang.L("File not sent: {{.Why}}.", tv{"Why": strings.TrimSuffix(why, ".")}), a.now())
			a.main.chatChanged(true)
			return
		}
		a.sendFile(jid, u.Path())
	}
}

// pasteImage sends the image on the clipboard (Ctrl+V in the composer) to
// the open conversation as a PNG file. It reports whether it took the
// paste: with no image on the clipboard the composer pastes text.
func (a *App) pasteImage() bool {
	if a.opts.ClipboardImage == nil || !a.onMain || a.active == "" || a.gated(a.active) {
		return false
	}
	data := a.opts.ClipboardImage()
	if len(data) == 0 {
		return false
	}
	jid := a.active
	if t := a.roster.Trust(jid); !FileSendAllowed(t) {
		_, why := ComposerHints(t, jid)
		a.chats.System(jid, lang.L("Image not sent: {{.Why}}.", tv{"Why": strings.TrimSuffix(why, ".")}), a.now())
		a.main.chatChanged(true)
		return true
	}
	path, err := writePasted(data, a.now())
	if err != nil {
		a.chats.System(jid, lang.L("The pasted image could not be kept for sending: {{.Err}}", tv{"Err": err.Error()}), a.now())
		a.main.chatChanged(true)
		return true
	}
	a.sendFile(jid, path)
	return true
}

// writePasted keeps a pasted image in a private folder of the temporary
// directory, under a name that says what it is, so that the session can
// send it (and send it again) like any file.
func writePasted(data []byte, now time.Time) (string, error) {
	dir := filepath.Join(os.TempDir(), "palisade-pasted-"+strconv.Itoa(os.Getuid()))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	base := lang.L("Pasted image") + " " + now.Format("2006-01-02 15.04.05")
	for i := 1; ; i++ {
		name := base + ".png"
		if i > 1 {
			name = base + " (" + strconv.Itoa(i) + ").png"
		}
		path := filepath.Join(dir, name)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		_, werr := f.Write(data)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			os.Remove(path)
			return "", werr
		}
		return path, nil
	}
}

// fileEvent applies a file transfer event. It returns the conversation
// whose rows changed ("" for none) and whether a row was added.
func (a *App) fileEvent(ev event.Event, now time.Time) (conv string, added bool) {
	switch e := ev.(type) {
	case event.FileProgress:
		f := a.chats.File(e.ID)
		if f == nil {
			// A transfer this window did not start (headless, or a
			// restart): show it from now on.
			peer, out := e.From, false
			if e.To != "" {
				peer, out = e.To, true
			}
			f = &FileItem{ID: e.ID, Peer: bareJID(peer), Outgoing: out, Name: e.Name, Size: e.Total}
			if !a.addIncoming(f, now) {
				return "", false
			}
			added = true
		}
		if f.State == FileFailed || f.State == FileDone || f.State == FileClean || f.State == FileUnscanned {
			return "", false // late progress after the end
		}
		f.Bytes, f.Total = e.Bytes, e.Total
		if e.Total >= 0 {
			f.Size = e.Total
		}
		if f.Outgoing {
			f.State = FileUploading
		} else {
			f.State = FileDownloading
		}
		return f.conv, added
	case event.FileSent:
		f := a.chats.File(e.ID)
		if f == nil {
			f = &FileItem{ID: e.ID, Peer: bareJID(e.To), Outgoing: true, Name: e.Name}
			a.chats.AddFile(f, now)
			added = true
		}
		f.State, f.Size, f.Bytes, f.Total = FileDone, e.Size, e.Size, e.Size
		a.roster.Touch(f.Peer)
		return f.conv, added
	case event.FileOffered:
		if a.chats.File(e.ID) != nil {
			return "", false
		}
		f := &FileItem{ID: e.ID, Peer: bareJID(e.From), Name: e.Name, Size: e.Size, Total: e.Size, Trust: e.Trust, Auto: e.Auto, url: strings.TrimSpace(e.URL)}
		f.State = FileOffer
		if e.Auto {
			f.State = FileDownloading
		}
		if !a.addIncoming(f, now) {
			return "", false
		}
		return f.conv, true
	case event.FileReceived:
		f := a.chats.File(e.ID)
		if f == nil {
			f = &FileItem{ID: e.ID, Peer: bareJID(e.From), Name: e.Name}
			if !a.addIncoming(f, now) {
				return "", false
			}
			added = true
		}
		f.Name, f.Path, f.Size, f.Scanner = e.Name, e.Path, e.Size, e.Scanner
		f.Bytes, f.Total = e.Size, e.Size
		switch e.Verdict {
		case event.VerdictClean:
			f.State = FileClean
			if f.IsImage() {
				a.loadThumb(f)
			}
		case event.VerdictUnscanned:
			f.State = FileUnscanned
		default: // infected (the session reports it as FileRejected; be safe anyway)
			f.State, f.Path, f.Code = FileFailed, "", e.Verdict
			f.Reason = lang.L("the scanner found a threat; the file was deleted")
			if s := strings.TrimSpace(e.Scanner); s != "" {
				f.Reason += " (" + s + ")"
			}
		}
		return f.conv, added
	case event.FileRejected:
		f := a.chats.File(e.ID)
		if f == nil {
			peer, out := e.From, false
			if e.To != "" {
				peer, out = e.To, true
			}
			// An incoming link refused before any offer (not a safe https
			// URL): it takes the place of its message, so that the link is
			// not left there to click.
			f = &FileItem{ID: e.ID, Peer: bareJID(peer), Outgoing: out, Name: e.Name, Size: -1, link: !out}
			if !a.addIncoming(f, now) {
				return "", false
			}
			added = true
		}
		if e.Name != "" {
			f.Name = e.Name
		}
		f.State, f.Reason, f.Code = FileFailed, e.Reason, e.Code
		if !f.Outgoing {
			f.Path = "" // nothing is kept of a rejected download
		}
		delete(a.thumbs, f.ID)
		return f.conv, added
	}
	return "", false
}

// addIncoming adds a file row for a transfer the GUI did not start. A file
// from someone whose first message waits in Requests waits there too: it
// joins the conversation when the user accepts them. It reports whether
// the row is in a conversation now.
func (a *App) addIncoming(f *FileItem, now time.Time) bool {
	if f.Peer == "" {
		return false
	}
	if !f.Outgoing && a.requests.Has(f.Peer) && !a.chats.HasMessages(f.Peer) {
		a.filesWaiting[f.Peer] = append(a.filesWaiting[f.Peer], f)
		return false
	}
	if a.chats.AddFile(f, now) && !f.Outgoing {
		// A file without a message of its own counts as one unread.
		if f.conv != a.active || !a.focused {
			a.roster.AddUnread(f.conv, 1)
		}
	}
	if !f.Outgoing {
		a.roster.Touch(f.Peer)
	}
	return true
}

// refusedFile shows a policy refusal of a file in its row: by id when the
// session gives it, else the oldest file still waiting for that peer. It
// reports the conversation, or "" when no row was waiting.
func (a *App) refusedFile(e event.Refused) string {
	f := a.chats.File(e.ID)
	if f == nil {
		f = a.chats.waitingFile(e.To)
	}
	if f == nil || !f.Outgoing {
		return ""
	}
	f.State, f.Reason, f.Code, f.Policy = FileFailed, refusedReason(e), e.Code, true
	return f.conv
}

// fileError shows an error answering a sendfile command in the row of its
// file (by id when the session gives it, else the oldest file waiting for
// an answer), or "" when none is.
func (a *App) fileError(e event.Error) string {
	f := a.chats.File(e.ID)
	if f == nil || !f.Outgoing {
		f = a.chats.waitingFile("")
	}
	if f == nil {
		return ""
	}
	f.State, f.Reason, f.Code = FileFailed, e.Message, e.Code
	return f.conv
}

// releaseFiles puts the files that waited with jid's request into the
// conversation, once the user accepted them.
func (a *App) releaseFiles(jid string, now time.Time) {
	for _, f := range a.filesWaiting[jid] {
		a.chats.AddFile(f, now)
	}
	delete(a.filesWaiting, jid)
}

// dropWaitingFiles forgets the files that waited with requests covered by
// a block of target (a bare JID or a domain).
func (a *App) dropWaitingFiles(target string) {
	target = strings.ToLower(bareJID(target))
	for jid := range a.filesWaiting {
		j := strings.ToLower(jid)
		if j == target || (!strings.Contains(target, "@") && strings.ToLower(domainOf(jid)) == target) {
			delete(a.filesWaiting, jid)
		}
	}
}
