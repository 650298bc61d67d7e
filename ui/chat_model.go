package ui

import (
	"fyne.io/fyne/v2/lang"
	"time"

	"github.com/palisade-im/palisade/event"
)

// Delivery is how far an outgoing message has got. It only moves forward.
type Delivery int

const (
	DeliveryNone     Delivery = iota // incoming message
	DeliveryPending                  // handed to the backend, no Sent yet
	DeliveryQueued                   // in the outbox, waiting for a connection
	DeliverySent                     // on the wire
	DeliveryAcked                    // the server confirmed it (XEP-0198)
	DeliveryReceived                 // the recipient's client confirmed it (XEP-0184)

	// Outside the forward order: a message the session held back. Any
	// later progress (a resend that went out) moves it on.
	DeliveryHeld    Delivery = -1 // waiting for the user to confirm writing to an external peer
	DeliveryRefused Delivery = -2 // the policy refused it: nothing left the machine
)

// String is the word shown beside the tick, for people who cannot tell the
// icons apart.
func (d Delivery) String() string {
	switch d {
	case DeliveryPending:
		return lang.L("sending")
	case DeliveryQueued:
		return lang.L("queued")
	case DeliverySent:
		return lang.L("sent")
	case DeliveryAcked:
		return lang.L("on server")
	case DeliveryReceived:
		return lang.L("delivered")
	case DeliveryHeld:
		return lang.L("waiting for your confirmation")
	case DeliveryRefused:
		return lang.L("not sent")
	}
	return ""
}

// ChatMessage is one line of a conversation.
type ChatMessage struct {
	ID        string
	ArchiveID string // the local archive's id, for messages loaded from it
	From      string // full JID of the sender ("" for our own messages sent here)
	Body      string
	Time      time.Time
	Outgoing  bool
	Delayed   bool
	Delivery  Delivery
	// System: a line from Palisade itself (a refusal, a file that could not
	// go), not from either person.
	System bool
	// File: the row is a file (sent, or offered by the peer); Body is then
	// not shown.
	File *FileItem
	// Signature is the session's verdict on the sender's device signature
	// (event.Signature*; "" when there is nothing to expect); Device names
	// the signing device.
	Signature, Device string
}

// Conversation is the 1:1 chat with one bare JID.
type Conversation struct {
	JID      string
	Messages []ChatMessage
	// Typing is the contact's last chat state (XEP-0085), "" when unknown.
	Typing string
	// TypingAt is when Typing was last set.
	TypingAt time.Time
	byID     map[string]int
}

// typingStale is how long "composing" is believed without news: a client
// that vanished mid-sentence must not show "typing…" for ever.
const typingStale = 30 * time.Second

// IsTyping reports whether the contact's last chat state is composing.
func (c *Conversation) IsTyping() bool { return c.Typing == event.StateComposing }

// IsTypingAt reports whether the contact is composing at now: the state is
// composing and not older than typingStale.
func (c *Conversation) IsTypingAt(now time.Time) bool {
	return c.IsTyping() && (c.TypingAt.IsZero() || now.Sub(c.TypingAt) < typingStale)
}

// ChatModel holds every conversation. Plain data, touched only on the UI
// event loop.
type ChatModel struct {
	convs map[string]*Conversation
	// byID finds the conversation of an outgoing message from its id alone,
	// for Sent/Acked/Receipt events whose peer JID differs in form.
	byID map[string]string
	// files are the file transfers by id.
	files   map[string]*FileItem
	fileSeq int
}

// NewChatModel returns an empty set of conversations.
func NewChatModel() *ChatModel {
	return &ChatModel{convs: map[string]*Conversation{}, byID: map[string]string{}, files: map[string]*FileItem{}}
}

// Conv returns the conversation with jid, creating it.
func (m *ChatModel) Conv(jid string) *Conversation {
	jid = bareJID(jid)
	c := m.convs[jid]
	if c == nil {
		c = &Conversation{JID: jid, byID: map[string]int{}}
		m.convs[jid] = c
	}
	return c
}

// HasMessages reports whether the conversation with jid has any message.
func (m *ChatModel) HasMessages(jid string) bool {
	c := m.convs[bareJID(jid)]
	return c != nil && len(c.Messages) > 0
}

// Has reports whether a conversation with jid exists.
func (m *ChatModel) Has(jid string) bool { return m.convs[bareJID(jid)] != nil }

func (m *ChatModel) add(c *Conversation, msg ChatMessage) bool {
	if msg.ID != "" {
		if _, dup := c.byID[msg.ID]; dup {
			return false
		}
		c.byID[msg.ID] = len(c.Messages)
		if msg.Outgoing {
			m.byID[msg.ID] = c.JID
		}
	}
	c.Messages = append(c.Messages, msg)
	return true
}

// Outgoing records a message the user just sent from this client.
func (m *ChatModel) Outgoing(to, id, body string, now time.Time) {
	c := m.Conv(to)
	m.add(c, ChatMessage{ID: id, Body: body, Time: now, Outgoing: true, Delivery: DeliveryPending})
}

// System adds a line from Palisade itself to the conversation with jid.
func (m *ChatModel) System(jid, text string, now time.Time) {
	m.add(m.Conv(jid), ChatMessage{Body: text, Time: now, System: true})
}

// Find returns the outgoing message id and its conversation, or nil.
func (m *ChatModel) Find(id, peer string) (*ChatMessage, string) {
	jid, ok := m.byID[id]
	if !ok {
		jid = bareJID(peer)
	}
	c := m.convs[jid]
	if c == nil {
		return nil, ""
	}
	i, ok := c.byID[id]
	if !ok {
		return nil, ""
	}
	return &c.Messages[i], c.JID
}

// SetDelivery sets an outgoing message's state outside the forward order
// (held, refused, or pending again after a confirmed resend). It returns
// the conversation, or "" when the message is unknown.
func (m *ChatModel) SetDelivery(id, peer string, d Delivery) string {
	msg, conv := m.Find(id, peer)
	if msg == nil || !msg.Outgoing {
		return ""
	}
	msg.Delivery = d
	return conv
}

// Incoming records a Message event (incoming, or outgoing from another of
// the user's clients). self is the user's bare JID. It returns the
// conversation and whether the message was new (not a duplicate id).
func (m *ChatModel) Incoming(e event.Message, self string) (conv string, added bool) {
	outgoing := e.Outgoing || (self != "" && bareJID(e.From) == self)
	peer := bareJID(e.From)
	if outgoing {
		peer = bareJID(e.To)
	}
	c := m.Conv(peer)
	msg := ChatMessage{ID: e.ID, From: e.From, Body: e.Body, Time: e.Time, Outgoing: outgoing, Delayed: e.Delayed,
		Signature: e.Signature, Device: e.Device}
	// An outgoing message from elsewhere (another client, the archive) has
	// no known delivery state: it shows no tick until a receipt arrives.
	if !outgoing && !e.Delayed {
		c.Typing = "" // a message ends "typing"
	}
	return peer, m.add(c, msg)
}

func (m *ChatModel) advance(id, peer string, d Delivery) (string, bool) {
	jid, ok := m.byID[id]
	if !ok {
		jid = bareJID(peer)
	}
	c := m.convs[jid]
	if c == nil {
		return "", false
	}
	i, ok := c.byID[id]
	if !ok {
		return "", false
	}
	msg := &c.Messages[i]
	if !msg.Outgoing || d <= msg.Delivery {
		return c.JID, false
	}
	msg.Delivery = d
	return c.JID, true
}

// Sent applies a Sent event. It returns the conversation and whether a
// message changed.
func (m *ChatModel) Sent(e event.Sent) (string, bool) {
	d := DeliverySent
	if e.Queued {
		d = DeliveryQueued
	}
	return m.advance(e.ID, e.To, d)
}

// Acked applies a server acknowledgement.
func (m *ChatModel) Acked(e event.Acked) (string, bool) { return m.advance(e.ID, e.To, DeliveryAcked) }

// Receipt applies a delivery receipt.
func (m *ChatModel) Receipt(e event.Receipt) (string, bool) {
	return m.advance(e.ID, e.From, DeliveryReceived)
}

// ChatState records a contact's typing state at now. It returns the
// conversation.
func (m *ChatModel) ChatState(e event.ChatState, now time.Time) string {
	c := m.Conv(e.From)
	c.Typing, c.TypingAt = e.State, now
	return c.JID
}

// ClearTyping forgets every typing state (e.g. when the connection drops).
func (m *ChatModel) ClearTyping() {
	for _, c := range m.convs {
		c.Typing = ""
	}
}

// pauseAfter is how long the user may stop typing before "paused" is sent.
const pauseAfter = 5 * time.Second

// typingTracker decides which chat state to send about the user's own
// typing in one conversation (XEP-0085): composing on the first edit,
// paused after a quiet spell, active when the draft is emptied or sent.
type typingTracker struct {
	state    string
	lastEdit time.Time
}

// Edited is called when the draft changes. It returns the state to send, or
// "" when nothing needs to be sent.
func (t *typingTracker) Edited(text string, now time.Time) string {
	t.lastEdit = now
	if text == "" {
		if t.state == event.StateComposing || t.state == event.StatePaused {
			t.state = event.StateActive
			return event.StateActive
		}
		return ""
	}
	if t.state != event.StateComposing {
		t.state = event.StateComposing
		return event.StateComposing
	}
	return ""
}

// Tick is called periodically; it returns "paused" once after pauseAfter
// without edits.
func (t *typingTracker) Tick(now time.Time) string {
	if t.state == event.StateComposing && now.Sub(t.lastEdit) >= pauseAfter {
		t.state = event.StatePaused
		return event.StatePaused
	}
	return ""
}

// Sent is called when the draft was sent: the message itself tells the
// contact we stopped typing, so nothing is sent.
func (t *typingTracker) Sent() { t.state = event.StateActive }

// Leave is called when the user switches to another conversation; it
// returns "paused" if the user was composing.
func (t *typingTracker) Leave() string {
	if t.state == event.StateComposing {
		t.state = event.StatePaused
		return event.StatePaused
	}
	return ""
}
