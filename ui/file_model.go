package ui

import (
	"fmt"
	"fyne.io/fyne/v2/lang"
	"net/url"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/palisade-im/palisade/event"
)

// FileState is where a file transfer stands, as the session reported it.
type FileState int

const (
	FileWaiting     FileState = iota // outgoing: handed to the session, nothing heard yet
	FileUploading                    // outgoing: FileProgress
	FileDone                         // outgoing: FileSent
	FileFailed                       // did not happen or did not finish (Reason says why)
	FileOffer                        // incoming: waiting for the user to press Download
	FileDownloading                  // incoming: being fetched (FileProgress)
	FileClean                        // incoming: scanned clean, in the downloads folder
	FileUnscanned                    // incoming: not scanned, kept in quarantine
)

// FileItem is one file in a conversation: sent by the user or offered by
// the peer. Plain data; the session decides everything about it and the
// GUI only shows what the events say.
type FileItem struct {
	ID       string // the transfer id (chosen by the GUI for its own sends)
	Peer     string // bare JID of the recipient or the sender
	Outgoing bool
	Name     string // for incoming files, the safe name the session chose
	Path     string // outgoing: the local file; incoming: where the session stored it
	Size     int64  // -1 when unknown
	Bytes    int64  // transferred so far
	Total    int64  // -1 when unknown
	State    FileState
	Reason   string // why it failed (FileFailed)
	Code     string // the event.File* or event.Refused* code of a failure
	Policy   bool   // the failure is a policy refusal: sending again cannot help
	Trust    event.Trust
	Auto     bool   // incoming: the session fetches it by itself
	Scanner  string // the scanner's words (why unscanned)
	url      string // incoming: the offered URL, to find the message that carried it
	link     bool   // incoming, rejected before an offer: its message is the newest bare link
	conv     string
	idx      int // the position of its row in the conversation
	order    int // when it was added (a refusal without an id goes to the oldest waiting file)
}

// Fraction is the progress between 0 and 1, or -1 when the total is
// unknown.
func (f *FileItem) Fraction() float64 {
	if f.Total <= 0 {
		return -1
	}
	v := float64(f.Bytes) / float64(f.Total)
	if v > 1 {
		v = 1
	}
	if v < 0 {
		v = 0
	}
	return v
}

// Running reports whether bytes are moving (a progress bar and Cancel).
func (f *FileItem) Running() bool {
	return f.State == FileWaiting || f.State == FileUploading || f.State == FileDownloading
}

// CanRetry reports whether a failed outgoing file may be sent again: not
// after a policy refusal (the same rule would refuse it again).
func (f *FileItem) CanRetry() bool {
	return f.Outgoing && f.State == FileFailed && !f.Policy && f.Path != ""
}

// imageExts are the image types the GUI can show a thumbnail of (decoders
// from the standard library).
var imageExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true}

// IsImage reports whether the file's name says it is an image the GUI can
// preview (only ever after a clean scan).
func (f *FileItem) IsImage() bool {
	return imageExts[strings.ToLower(filepath.Ext(f.Name))]
}

// FormatSize writes a byte count for people: "812 bytes", "1.4 MB".
func FormatSize(n int64) string {
	if n < 0 {
		return lang.L("size unknown")
	}
	if n < 1024 {
		if n == 1 {
			return lang.L("1 byte")
		}
		return lang.L("{{.N}} bytes", tv{"N": n})
	}
	f := float64(n)
	for _, u := range []string{lang.L("KB"), lang.L("MB"), lang.L("GB"), lang.L("TB")} {
		f /= 1024
		if f < 1024 || u == lang.L("TB") {
			if f < 10 {
				return decimal1(f) + " " + u
			}
			return fmt.Sprintf("%.0f %s", f, u)
		}
	}
	return ""
}

// Status is the line under the file's name: what happened, in words.
func (f *FileItem) Status() string {
	switch f.State {
	case FileWaiting:
		return lang.L("Preparing to send…")
	case FileUploading:
		return lang.L("Sending…") + " " + progressWords(f)
	case FileDone:
		return lang.L("Sent")
	case FileFailed:
		r := strings.TrimSpace(f.Reason)
		if f.Code == event.FileInfected && !f.Outgoing {
			// Downloaded, scanned, deleted: the session's sentence says so.
			if r == "" {
				r = lang.L("The virus scanner found malware in this file; it was deleted.")
			}
			return r
		}
		if r == "" {
			r = lang.L("it did not go through ({{.Code}})", tv{"Code": f.Code})
		}
		// Said once: the session's reason may already say it.
		low := strings.ToLower(r)
		if f.Outgoing {
			if saysNot(low, "not sent", "pas été envoyé") {
				return r
			}
			return lang.L("Not sent: {{.Why}}", tv{"Why": r})
		}
		if saysNot(low, "not downloaded", "pas été téléchargé") {
			return r
		}
		return lang.L("Not downloaded: {{.Why}}", tv{"Why": r})
	case FileOffer:
		return lang.L("Not downloaded yet")
	case FileDownloading:
		return lang.L("Downloading…") + " " + progressWords(f)
	case FileClean:
		return lang.L("Scanned: no threat found. Saved in your downloads folder.")
	case FileUnscanned:
		return lang.L("Not scanned: kept in quarantine")
	}
	return ""
}

// Detail is the line under the status, in smaller type: the scanner's own
// words when the file could not be scanned.
func (f *FileItem) Detail() string {
	if f.State == FileUnscanned {
		return sentence(f.Scanner)
	}
	return ""
}

func progressWords(f *FileItem) string {
	if f.Total > 0 {
		return lang.L("{{.Done}} of {{.Total}}", tv{"Done": FormatSize(f.Bytes), "Total": FormatSize(f.Total)})
	}
	if f.Bytes > 0 {
		return FormatSize(f.Bytes)
	}
	return ""
}

// OfferWarning is the warning beside Download for a file the session did
// not fetch by itself.
func OfferWarning(t event.Trust) string {
	if t.External() && t.Class != "" {
		return lang.L("From an external contact: files can carry malware; it will be scanned.")
	}
	return lang.L("Not downloaded automatically: files can carry malware; it will be scanned.")
}

// File returns the file item with id, or nil.
func (m *ChatModel) File(id string) *FileItem {
	if id == "" {
		return nil
	}
	return m.files[id]
}

// AddFile puts f into its peer's conversation as a row of its own, or,
// for an incoming offer, in place of the message that carried its link
// (the link is then shown as the file, never as something to click). It
// reports whether a new row was added.
func (m *ChatModel) AddFile(f *FileItem, now time.Time) bool {
	c := m.Conv(f.Peer)
	f.Peer, f.conv = c.JID, c.JID
	m.files[f.ID] = f
	m.fileSeq++
	f.order = m.fileSeq
	if !f.Outgoing && (f.url != "" || f.link) {
		want := normURL(f.url)
		for i := len(c.Messages) - 1; i >= 0 && i >= len(c.Messages)-20; i-- {
			msg := &c.Messages[i]
			if msg.Outgoing || msg.System || msg.File != nil || !bareLink(msg.Body) {
				continue
			}
			if f.url == "" || normURL(strings.TrimSpace(msg.Body)) == want {
				msg.File = f
				f.idx = i
				return false
			}
		}
	}
	f.idx = len(c.Messages)
	c.Messages = append(c.Messages, ChatMessage{Time: now, Outgoing: f.Outgoing, File: f})
	return true
}

// Rekey gives a file a new transfer id (a new attempt of the same file).
func (m *ChatModel) Rekey(f *FileItem, id string) {
	delete(m.files, f.ID)
	f.ID = id
	m.files[id] = f
}

// waitingFile is the oldest outgoing file still waiting for the session's
// first word, to peer ("" for any peer): where a refusal or an error
// without a transfer id belongs (the session answers commands in order).
func (m *ChatModel) waitingFile(peer string) *FileItem {
	var best *FileItem
	for _, f := range m.files {
		if !f.Outgoing || f.State != FileWaiting || (peer != "" && f.Peer != bareJID(peer)) {
			continue
		}
		if best == nil || f.order < best.order {
			best = f
		}
	}
	return best
}

// sentence makes words a sentence: a capital first letter and a full stop.
func sentence(w string) string {
	w = strings.TrimSuffix(strings.TrimSpace(w), ".")
	if w == "" {
		return ""
	}
	r := []rune(w)
	r[0] = unicode.ToUpper(r[0])
	return string(r) + "."
}

// bareLink reports whether a message body is one link and nothing else:
// how a file link comes (the session offers it as a file).
func bareLink(body string) bool {
	b := strings.TrimSpace(body)
	return b != "" && !strings.ContainsAny(b, " \t\r\n") && linkRE.FindString(b) == b
}

// normURL is a URL in one spelling, so that the offered URL (as the
// session parsed it) and the body (as the peer wrote it) compare equal.
func normURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.String()
	}
	return s
}

// saysNot reports whether a reason (lower case) already says what did not
// happen, in English or in French (the session writes its reasons in the
// user's language).
func saysNot(low string, words ...string) bool {
	for _, w := range words {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}
