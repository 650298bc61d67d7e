package session

import (
	"encoding/xml"
	"strings"
)

// Namespaces used by the session.
const (
	nsClient     = "jabber:client"
	nsBind       = "urn:ietf:params:xml:ns:xmpp-bind"
	nsRoster     = "jabber:iq:roster"
	nsReceipts   = "urn:xmpp:receipts"
	nsChatStates = "http://jabber.org/protocol/chatstates"
	nsCarbons    = "urn:xmpp:carbons:2"
	nsForward    = "urn:xmpp:forward:0"
	nsDelay      = "urn:xmpp:delay"
	nsPing       = "urn:xmpp:ping"
	nsDiscoInfo  = "http://jabber.org/protocol/disco#info"
	nsStanzaErr  = "urn:ietf:params:xml:ns:xmpp-stanzas"
	nsHints      = "urn:xmpp:hints"
	nsDiscoItems = "http://jabber.org/protocol/disco#items"
	nsUpload     = "urn:xmpp:http:upload:0"
	nsOOB        = "jabber:x:oob"
	nsXData      = "jabber:x:data"
)

// el is a small XML element tree for outgoing stanzas. It is kept (rather
// than the encoded bytes) so that a stanza can be written again after a
// reconnection.
type el struct {
	name  xml.Name
	attrs []xml.Attr
	text  string
	kids  []*el
}

func elem(space, local string, attrs ...string) *el {
	e := &el{name: xml.Name{Space: space, Local: local}}
	for i := 0; i+1 < len(attrs); i += 2 {
		if attrs[i+1] == "" {
			continue
		}
		e.attrs = append(e.attrs, xml.Attr{Name: xml.Name{Local: attrs[i]}, Value: attrs[i+1]})
	}
	return e
}

func (e *el) add(kids ...*el) *el { e.kids = append(e.kids, kids...); return e }

func (e *el) setText(s string) *el { e.text = s; return e }

// child is a namespaceless child element with text (e.g. <body/>), which
// inherits the parent's namespace.
func child(local, text string) *el { return &el{name: xml.Name{Local: local}, text: text} }

// encode writes the element as tokens.
func (e *el) encode(w interface{ EncodeToken(xml.Token) error }) error {
	start := xml.StartElement{Name: e.name, Attr: append([]xml.Attr(nil), e.attrs...)}
	if err := w.EncodeToken(start); err != nil {
		return err
	}
	if e.text != "" {
		if err := w.EncodeToken(xml.CharData(e.text)); err != nil {
			return err
		}
	}
	for _, k := range e.kids {
		if err := k.encode(w); err != nil {
			return err
		}
	}
	return w.EncodeToken(start.End())
}

func (e *el) String() string {
	var b strings.Builder
	enc := xml.NewEncoder(&b)
	_ = e.encode(enc)
	_ = enc.Flush()
	return b.String()
}

// Inbound stanzas are decoded into these plain structs.

type empty struct{}

type inStanza struct {
	XMLName xml.Name
	ID      string `xml:"id,attr"`
	From    string `xml:"from,attr"`
	To      string `xml:"to,attr"`
	Type    string `xml:"type,attr"`

	// message
	Body  *string `xml:"body"`
	Delay *struct {
		Stamp string `xml:"stamp,attr"`
	} `xml:"urn:xmpp:delay delay"`
	ReceiptRequest *empty `xml:"urn:xmpp:receipts request"`
	Receipt        *struct {
		ID string `xml:"id,attr"`
	} `xml:"urn:xmpp:receipts received"`
	Active      *empty      `xml:"http://jabber.org/protocol/chatstates active"`
	Composing   *empty      `xml:"http://jabber.org/protocol/chatstates composing"`
	Paused      *empty      `xml:"http://jabber.org/protocol/chatstates paused"`
	Inactive    *empty      `xml:"http://jabber.org/protocol/chatstates inactive"`
	Gone        *empty      `xml:"http://jabber.org/protocol/chatstates gone"`
	CarbonSent  *carbonWrap `xml:"urn:xmpp:carbons:2 sent"`
	CarbonRecvd *carbonWrap `xml:"urn:xmpp:carbons:2 received"`

	// presence
	Show     string `xml:"show"`
	Status   string `xml:"status"`
	Priority int    `xml:"priority"`

	// iq
	Roster     *rosterQuery `xml:"jabber:iq:roster query"`
	Ping       *empty       `xml:"urn:xmpp:ping ping"`
	DiscoInfo  *discoInfo   `xml:"http://jabber.org/protocol/disco#info query"`
	DiscoItems *discoItems  `xml:"http://jabber.org/protocol/disco#items query"`

	// files (XEP-0363 upload slots, XEP-0066 out-of-band data; files.go)
	Slot *uploadSlot `xml:"urn:xmpp:http:upload:0 slot"`
	OOB  []oobData   `xml:"jabber:x:oob x"`

	// blocking (XEP-0191)
	Blocklist *blockItems `xml:"urn:xmpp:blocking blocklist"`
	Block     *blockItems `xml:"urn:xmpp:blocking block"`
	Unblock   *blockItems `xml:"urn:xmpp:blocking unblock"`

	// publish-subscribe (XEP-0060; pubsub.go)
	PubSubEvent *pubsubEvent `xml:"http://jabber.org/protocol/pubsub#event event"`
	PubSub      *pubsubQuery `xml:"http://jabber.org/protocol/pubsub pubsub"`

	// group chat (XEP-0045; muc.go)
	MUCUser      *mucUser       `xml:"http://jabber.org/protocol/muc#user x"`
	MUCOwner     *mucOwnerQuery `xml:"http://jabber.org/protocol/muc#owner query"`
	DirectInvite *directInvite  `xml:"jabber:x:conference x"`
	Subject      *string        `xml:"subject"`

	// device signature (signature.go)
	Signature *sigXML `xml:"urn:palisade:signature:1 signature"`

	Error *stanzaError `xml:"error"`

	// enrolment (enrol.go)
	Enrol    *enrolXML    `xml:"urn:palisade:enrol:1 enrol"`
	Enrolled *enrolledXML `xml:"urn:palisade:enrol:1 enrolled"`
	Rejected *rejectedXML `xml:"urn:palisade:enrol:1 rejected"`

	archiveFields // stanza-id, origin-id, MAM results (archive.go, mam.go)
}

type discoInfo struct {
	Node       string `xml:"node,attr"`
	Identities []struct {
		Category string `xml:"category,attr"`
		Type     string `xml:"type,attr"`
		Name     string `xml:"name,attr"`
	} `xml:"identity"`
	Features []struct {
		Var string `xml:"var,attr"`
	} `xml:"feature"`
	Forms []xdataForm `xml:"jabber:x:data x"`
}

type xdataForm struct {
	Type   string `xml:"type,attr"`
	Fields []struct {
		Var    string   `xml:"var,attr"`
		Values []string `xml:"value"`
	} `xml:"field"`
}

type discoItems struct {
	Items []struct {
		JID  string `xml:"jid,attr"`
		Node string `xml:"node,attr"`
	} `xml:"item"`
}

type uploadSlot struct {
	Put struct {
		URL     string `xml:"url,attr"`
		Headers []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:",chardata"`
		} `xml:"header"`
	} `xml:"put"`
	Get struct {
		URL string `xml:"url,attr"`
	} `xml:"get"`
}

type oobData struct {
	URL  string `xml:"url"`
	Desc string `xml:"desc"`
}

type carbonWrap struct {
	Forwarded *struct {
		Message *inStanza `xml:"message"`
	} `xml:"urn:xmpp:forward:0 forwarded"`
}

func (c *carbonWrap) message() *inStanza {
	if c == nil || c.Forwarded == nil {
		return nil
	}
	return c.Forwarded.Message
}

type rosterQuery struct {
	Ver   string       `xml:"ver,attr"`
	Items []rosterItem `xml:"item"`
}

type rosterItem struct {
	JID          string   `xml:"jid,attr"`
	Name         string   `xml:"name,attr"`
	Subscription string   `xml:"subscription,attr"`
	Ask          string   `xml:"ask,attr"`
	Groups       []string `xml:"group"`
}

type stanzaError struct {
	Type string `xml:"type,attr"`
	Text string `xml:"urn:ietf:params:xml:ns:xmpp-stanzas text"`
	// FileTooLarge is the upload service's limit when it refused a slot
	// (XEP-0363 §4).
	FileTooLarge *struct {
		Max string `xml:"max-file-size"`
	} `xml:"urn:xmpp:http:upload:0 file-too-large"`
	Conditions []struct {
		XMLName xml.Name
	} `xml:",any"`
}

// String describes the error for a person.
func (e *stanzaError) String() string {
	if e == nil {
		return "unknown error"
	}
	cond := ""
	for _, c := range e.Conditions {
		if c.XMLName.Space == nsStanzaErr && c.XMLName.Local != "text" {
			cond = c.XMLName.Local
			break
		}
	}
	switch {
	case cond == "" && e.Text == "":
		return "unknown error"
	case e.Text == "":
		return cond
	case cond == "":
		return e.Text
	}
	return cond + " (" + e.Text + ")"
}

func (m *inStanza) chatState() string {
	switch {
	case m.Composing != nil:
		return "composing"
	case m.Paused != nil:
		return "paused"
	case m.Active != nil:
		return "active"
	case m.Inactive != nil:
		return "inactive"
	case m.Gone != nil:
		return "gone"
	}
	return ""
}

// Outgoing stanza constructors.

func chatMessage(id, to, body string) *el {
	return elem(nsClient, "message", "type", "chat", "to", to, "id", id).add(
		child("body", body),
		elem(nsReceipts, "request"),
		elem(nsChatStates, "active"),
	)
}

func chatStateMessage(id, to, state string) *el {
	return elem(nsClient, "message", "type", "chat", "to", to, "id", id).add(
		elem(nsChatStates, state),
		elem(nsHints, "no-store"),
	)
}

func receiptMessage(id, to, ofID string) *el {
	return elem(nsClient, "message", "to", to, "id", id).add(
		elem(nsReceipts, "received", "id", ofID),
	)
}

func iq(typ, id, to string, payload ...*el) *el {
	return elem(nsClient, "iq", "type", typ, "id", id, "to", to).add(payload...)
}

func iqError(id, to, cond, typ string) *el {
	return iq("error", id, to, elem("", "error", "type", typ).add(elem(nsStanzaErr, cond)))
}

func presence(typ, to, show, status string) *el {
	p := elem(nsClient, "presence", "type", typ, "to", to)
	if show != "" {
		p.add(child("show", show))
	}
	if status != "" {
		p.add(child("status", status))
	}
	return p
}
