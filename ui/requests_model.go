package ui

import (
	"regexp"
	"sort"
	"strings"

	"github.com/palisade-im/palisade/event"
)

// MessageRequest is a conversation started by someone outside the approved
// organisations whom the user has not accepted: it waits in the Requests
// area, never among the chats, until the user accepts or blocks.
type MessageRequest struct {
	JID      string // bare JID
	Trust    event.Trust
	Messages []event.Message
	seq      int // arrival order of the first message
}

// RequestsModel holds the message requests. Plain data, touched only on the
// UI event loop.
type RequestsModel struct {
	reqs map[string]*MessageRequest
	seq  int
}

// NewRequestsModel returns an empty Requests area.
func NewRequestsModel() *RequestsModel {
	return &RequestsModel{reqs: map[string]*MessageRequest{}}
}

// Add records a message with Request set. A repeated id is ignored; it
// reports whether the message was new.
func (m *RequestsModel) Add(e event.Message) bool {
	jid := bareJID(e.From)
	r := m.reqs[jid]
	if r == nil {
		m.seq++
		r = &MessageRequest{JID: jid, seq: m.seq}
		m.reqs[jid] = r
	}
	for _, old := range r.Messages {
		if e.ID != "" && old.ID == e.ID {
			return false
		}
	}
	r.Trust = e.Trust
	r.Messages = append(r.Messages, e)
	return true
}

// Has reports whether jid has a waiting request.
func (m *RequestsModel) Has(jid string) bool { return m.reqs[bareJID(jid)] != nil }

// Take removes jid's request and returns it (nil when there is none).
func (m *RequestsModel) Take(jid string) *MessageRequest {
	jid = bareJID(jid)
	r := m.reqs[jid]
	delete(m.reqs, jid)
	return r
}

// SetTrust records a newer verdict for a waiting request's peer.
func (m *RequestsModel) SetTrust(jid string, t event.Trust) {
	if r := m.reqs[bareJID(jid)]; r != nil && t.Class != "" {
		r.Trust = t
	}
}

// Blocked removes every request covered by a block of target: a bare JID,
// or a whole domain. It returns how many were removed.
func (m *RequestsModel) Blocked(target string) int {
	target = strings.ToLower(bareJID(target))
	n := 0
	for jid := range m.reqs {
		j := strings.ToLower(jid)
		if j == target || (!strings.Contains(target, "@") && strings.ToLower(domainOf(jid)) == target) {
			delete(m.reqs, jid)
			n++
		}
	}
	return n
}

// List is the waiting requests, oldest first.
func (m *RequestsModel) List() []MessageRequest {
	out := make([]MessageRequest, 0, len(m.reqs))
	for _, r := range m.reqs {
		c := *r
		c.Messages = append([]event.Message(nil), r.Messages...)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// Len is the number of waiting requests.
func (m *RequestsModel) Len() int { return len(m.reqs) }

// linkRE finds web and mail links in a message body.
var linkRE = regexp.MustCompile(`(?i)\b(?:https?://|ftp://|www\.|mailto:)[^\s<>"\[\]]+`)

// TextPart is a run of a message body: plain text, or a link whose Text is
// the link's real target exactly as written.
type TextPart struct {
	Text string
	Link bool
}

// SplitLinks cuts body into plain runs and links. Closing punctuation right
// after a link ("see https://x.test/a.") stays outside it. Markdown is never
// interpreted: "[text](url)" shows its url as written, so no text can hide
// where a link goes.
func SplitLinks(body string) []TextPart {
	var out []TextPart
	last := 0
	for _, loc := range linkRE.FindAllStringIndex(body, -1) {
		s, e := loc[0], loc[1]
		for e > s && strings.IndexByte(".,;:!?)]}'", body[e-1]) >= 0 {
			// Keep a closing bracket that has its opening one inside the link.
			if body[e-1] == ')' && strings.Count(body[s:e], "(") >= strings.Count(body[s:e], ")") {
				break
			}
			e--
		}
		if s > last {
			out = append(out, TextPart{Text: body[last:s]})
		}
		out = append(out, TextPart{Text: body[s:e], Link: true})
		last = e
	}
	if last < len(body) {
		out = append(out, TextPart{Text: body[last:]})
	}
	return out
}
