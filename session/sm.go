package session

import "fmt"

// XEP-0198 stream management bookkeeping. This part is pure: it knows
// nothing of the network; conn.go drives it.

const nsSM = "urn:xmpp:sm:3"

// outStanza is one stanza sent on a stream with stream management enabled,
// kept until the server acknowledges it so that it can be sent again.
type outStanza struct {
	el *el
	// For chat messages: the message id, recipient and body, so that the
	// message can be reported as acked, kept in the outbox, or sent again on
	// a new session. Empty for other stanzas.
	msgID, to, body string
}

func (o *outStanza) isChat() bool { return o.msgID != "" }

// smState survives the loss of a connection so that the stream can be
// resumed (or, failing that, its unacknowledged messages sent again).
type smState struct {
	enabled bool   // enabled on the current stream
	id      string // resumption id; "" when the server does not allow resumption
	jid     string // full JID bound to the resumable stream
	inH     uint32 // inbound stanzas handled on the stream
	ackedH  uint32 // outbound stanzas the server has acknowledged
	unacked []*outStanza
}

// sent records a stanza written to the stream.
func (m *smState) sent(o *outStanza) {
	if m.enabled {
		m.unacked = append(m.unacked, o)
	}
}

// ack applies a server acknowledgement of h stanzas and returns the stanzas it
// newly covers. h counts modulo 2^32 (XEP-0198 §4). An h that acknowledges
// more than was sent is a server error; everything outstanding is then
// considered acknowledged and an error is returned as well.
func (m *smState) ack(h uint32) ([]*outStanza, error) {
	n := h - m.ackedH
	var err error
	if uint64(n) > uint64(len(m.unacked)) {
		err = fmt.Errorf("server acknowledged %d stanzas, only %d were outstanding", n, len(m.unacked))
		n = uint32(len(m.unacked))
	}
	acked := m.unacked[:n:n]
	m.unacked = m.unacked[n:]
	if len(m.unacked) == 0 {
		m.unacked = nil
	}
	m.ackedH = h
	return acked, err
}

// plausible reports whether an acknowledgement of h stanzas is possible:
// it covers no more than was sent. An implausible one comes from a broken
// or hostile server; applying it would drop stanzas it never received.
func (m *smState) plausible(h uint32) bool {
	return uint64(h-m.ackedH) <= uint64(len(m.unacked))
}

// resumable reports whether a stream was enabled with resumption and may be
// resumed on a new connection.
func (m *smState) resumable() bool { return m.id != "" && m.jid != "" }

// lost marks the stream as gone. Counters and unacknowledged stanzas are
// kept for resumption.
func (m *smState) lost() { m.enabled = false }

// restart forgets a stream that can no longer be resumed and returns the
// chat messages it left unacknowledged, which the caller sends again on the
// new stream. Other stanzas (presence, IQs) belonged to the old session and
// are dropped.
func (m *smState) restart() []*outStanza {
	var resend []*outStanza
	for _, o := range m.unacked {
		if o.isChat() {
			resend = append(resend, o)
		}
	}
	*m = smState{}
	return resend
}

// enable starts counting on a fresh stream.
func (m *smState) enable(id string, resume bool, jid string) {
	m.enabled = true
	m.inH, m.ackedH = 0, 0
	m.unacked = nil
	m.id, m.jid = "", ""
	if resume {
		m.id, m.jid = id, jid
	}
}

// resumed applies the server's <resumed h=.../>: the stanzas it has acked
// are returned, and the rest must be written again (the caller then records
// them again with sent).
func (m *smState) resumed(h uint32) (acked, resend []*outStanza, err error) {
	acked, err = m.ack(h)
	resend = m.unacked
	m.unacked = nil
	m.enabled = true
	return acked, resend, err
}
