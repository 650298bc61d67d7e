package session

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"mellium.im/xmpp"
	"mellium.im/xmpp/jid"

	"github.com/palisade-im/palisade/l10n"
)

// Publish-subscribe (XEP-0060) as Palisade uses it: IT publishes signed
// documents (profiles, bulletins) to nodes on the company's PubSub service;
// clients subscribe their bare JID, fetch the latest item at sign-in, and
// take notifications only from that service and for those nodes.
//
// An item's payload is
//
//	<signed xmlns="urn:palisade:signed:1" kind="profile|bulletin">
//	  <data>BASE64 of the exact file bytes</data>
//	  <jws>compact JWS with detached payload</jws>
//	</signed>
//
// The session does not judge the signature: package profile does.

const (
	nsPubSub      = "http://jabber.org/protocol/pubsub"
	nsPubSubEvent = "http://jabber.org/protocol/pubsub#event"
	nsDataForm    = "jabber:x:data"
	nsNodeConfig  = "http://jabber.org/protocol/pubsub#node_config"
	nsSigned      = "urn:palisade:signed:1"
)

// Kinds of signed documents.
const (
	KindProfile  = "profile"
	KindBulletin = "bulletin"
)

// Default nodes, used when the profile does not name others.
const (
	DefaultProfileNode  = "urn:palisade:profile:1"
	DefaultBulletinNode = "urn:palisade:bulletins:1"
)

// maxSignedData bounds the decoded document of one item (a profile with a
// few CA certificates is a few kilobytes).
const maxSignedData = 1 << 20

// Signed is a document signed by IT, as carried in a PubSub item.
type Signed struct {
	Kind string // KindProfile or KindBulletin
	Data []byte // the exact file bytes
	JWS  string // compact JWS over Data, with detached payload
}

// signedXML is the wire form of Signed.
type signedXML struct {
	XMLName xml.Name
	Kind    string `xml:"kind,attr"`
	Data    string `xml:"data"`
	JWS     string `xml:"jws"`
}

// errPayload describes a malformed item payload (in English).
type errPayload string

func (e errPayload) Error() string { return e.In(l10n.English) }

// In is the error for the user, in l (the detail stays as written).
func (e errPayload) In(l l10n.Lang) string {
	return l.T("malformed PubSub item: {{.Detail}}", l10n.Args{"Detail": string(e)})
}

// payloadError describes a malformed item payload in any language: its
// Error is English, In(l) is for the user.
type payloadError struct {
	detail func(l l10n.Lang) string
}

func (e payloadError) Error() string { return e.In(l10n.English) }

// In is the error for the user, in l.
func (e payloadError) In(l l10n.Lang) string {
	return l.T("malformed PubSub item: {{.Detail}}", l10n.Args{"Detail": e.detail(l)})
}

// payloadReason says in l why an item's payload was refused (a payload
// error from decode or decodeSigned; any other error as it is).
func payloadReason(l l10n.Lang, err error) string {
	var in interface{ In(l10n.Lang) string }
	if errors.As(err, &in) {
		return in.In(l)
	}
	return err.Error()
}

// signedElement is the element a payload must be, as written in errors.
var signedElement = "<signed xmlns='" + nsSigned + "'/>"

// decode checks the wire form and returns the document.
func (x *signedXML) decode() (Signed, error) {
	if x == nil {
		return Signed{}, payloadError{func(l l10n.Lang) string {
			return l.T("no {{.Want}} payload", l10n.Args{"Want": signedElement})
		}}
	}
	if x.XMLName.Local != "" && (x.XMLName.Space != nsSigned || x.XMLName.Local != "signed") {
		got := fmt.Sprintf("<%s xmlns='%s'/>", x.XMLName.Local, x.XMLName.Space)
		return Signed{}, payloadError{func(l l10n.Lang) string {
			return l.T("payload is {{.Got}}, not {{.Want}}", l10n.Args{"Got": got, "Want": signedElement})
		}}
	}
	switch x.Kind {
	case KindProfile, KindBulletin:
	case "":
		return Signed{}, payloadError{func(l l10n.Lang) string { return l.T("the payload names no kind") }}
	default:
		kind := strconv.Quote(x.Kind)
		return Signed{}, payloadError{func(l l10n.Lang) string {
			return l.T("unknown kind {{.Kind}} (want profile or bulletin)", l10n.Args{"Kind": kind})
		}}
	}
	b64 := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, x.Data)
	if b64 == "" {
		return Signed{}, payloadError{func(l l10n.Lang) string { return l.T("the payload has no data") }}
	}
	if base64.StdEncoding.DecodedLen(len(b64)) > maxSignedData {
		return Signed{}, payloadError{func(l l10n.Lang) string {
			return l.T("the document is larger than {{.Max}} bytes", l10n.Args{"Max": maxSignedData})
		}}
	}
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return Signed{}, payloadError{func(l l10n.Lang) string {
			return l.T("the data is not valid base64: {{.Err}}", l10n.Args{"Err": err.Error()})
		}}
	}
	jws := strings.TrimSpace(x.JWS)
	if jws == "" {
		return Signed{}, payloadError{func(l l10n.Lang) string { return l.T("the payload has no signature (jws)") }}
	}
	if strings.Count(jws, ".") != 2 || strings.IndexFunc(jws, notBase64URL) >= 0 {
		return Signed{}, payloadError{func(l l10n.Lang) string { return l.T("the signature is not a compact JWS") }}
	}
	return Signed{Kind: x.Kind, Data: data, JWS: jws}, nil
}

func notBase64URL(r rune) bool {
	return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
}

// decodeSigned decodes the XML of a <signed/> element.
func decodeSigned(b []byte) (Signed, error) {
	var x signedXML
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	if err := d.Decode(&x); err != nil {
		return Signed{}, payloadError{func(l l10n.Lang) string { return l.T("not XML: {{.Err}}", l10n.Args{"Err": err.Error()}) }}
	}
	if x.XMLName.Local == "" {
		return Signed{}, payloadError{func(l l10n.Lang) string { return l.T("empty payload") }}
	}
	return x.decode()
}

// element is the wire form of a document.
func (d Signed) element() *el {
	return elem(nsSigned, "signed", "kind", d.Kind).add(
		child("data", base64.StdEncoding.EncodeToString(d.Data)),
		child("jws", d.JWS),
	)
}

// Inbound PubSub structures, decoded as part of inStanza.

type pubsubItem struct {
	ID     string     `xml:"id,attr"`
	Signed *signedXML `xml:"urn:palisade:signed:1 signed"`
	// Conference is a room bookmark (XEP-0402; bookmarks.go).
	Conference *bookmarkConference `xml:"urn:xmpp:bookmarks:1 conference"`
	// Device is a device certificate chain (identity.go).
	Device *deviceXML `xml:"urn:palisade:devices:1 device"`
}

type pubsubItems struct {
	Node  string       `xml:"node,attr"`
	Items []pubsubItem `xml:"item"`
	// Retracts are removed items, in a notification (bookmarks.go).
	Retracts []struct {
		ID string `xml:"id,attr"`
	} `xml:"retract"`
}

// pubsubEvent is <event xmlns='http://jabber.org/protocol/pubsub#event'/>
// in a notification message.
type pubsubEvent struct {
	Items *pubsubItems `xml:"items"`
}

// pubsubQuery is <pubsub xmlns='http://jabber.org/protocol/pubsub'/> in an
// IQ result.
type pubsubQuery struct {
	Items        *pubsubItems `xml:"items"`
	Publish      *pubsubItems `xml:"publish"`
	Subscription *struct {
		Node         string `xml:"node,attr"`
		JID          string `xml:"jid,attr"`
		Subscription string `xml:"subscription,attr"`
	} `xml:"subscription"`
}

// Outgoing PubSub requests.

func subscribeIQ(id, service, node, bare string) *el {
	return iq("set", id, service, elem(nsPubSub, "pubsub").add(
		elem("", "subscribe", "node", node, "jid", bare)))
}

func itemsIQ(id, service, node string, max int) *el {
	return iq("get", id, service, elem(nsPubSub, "pubsub").add(
		elem("", "items", "node", node, "max_items", strconv.Itoa(max))))
}

func publishIQ(id, service, node, itemID string, d Signed) *el {
	return iq("set", id, service, elem(nsPubSub, "pubsub").add(
		elem("", "publish", "node", node).add(
			elem("", "item", "id", itemID).add(d.element()))))
}

// createIQ creates a node anyone may subscribe to, keeping maxItems items.
func createIQ(id, service, node string, maxItems int) *el {
	field := func(v, val string) *el {
		return elem("", "field", "var", v).add(child("value", val))
	}
	form := elem(nsDataForm, "x", "type", "submit").add(
		elem("", "field", "var", "FORM_TYPE", "type", "hidden").add(child("value", nsNodeConfig)),
		field("pubsub#access_model", "open"),
		field("pubsub#max_items", strconv.Itoa(maxItems)),
		field("pubsub#persist_items", "1"),
		field("pubsub#deliver_payloads", "1"),
	)
	return iq("set", id, service, elem(nsPubSub, "pubsub").add(
		elem("", "create", "node", node),
		elem("", "configure").add(form)))
}

// sameJID reports whether a stanza's 'from' is exactly the JID a request
// went to (compared in normalised form).
func sameJID(from, to string) bool {
	if from == to {
		return from != ""
	}
	a, err1 := jid.Parse(from)
	b, err2 := jid.Parse(to)
	return err1 == nil && err2 == nil && a.Equal(b)
}

// sendIQTo sends an IQ to a given JID and accepts as its answer only a
// stanza from that JID: a result with the same id from anyone else is
// ignored and the handler stays registered. s.mu is held.
func (s *Session) sendIQTo(c *conn, to string, e *el, h func(*inStanza)) error {
	id := ""
	for _, a := range e.attrs {
		if a.Name.Local == "id" {
			id = a.Value
		}
	}
	return s.sendIQ(c, e, s.answerFrom(id, to, h))
}

// answerFrom wraps the handler of the IQ id sent to 'to' so that it only
// sees answers from there.
func (s *Session) answerFrom(id, to string, h func(*inStanza)) func(*inStanza) {
	var guard func(*inStanza)
	guard = func(st *inStanza) {
		if !sameJID(st.From, to) {
			s.prof.ignored.Add(1)
			s.iqMu.Lock()
			if _, taken := s.iqs[id]; !taken {
				s.iqs[id] = guard
			}
			s.iqMu.Unlock()
			return
		}
		h(st)
	}
	return guard
}

// The node configuration used when the publisher creates a node.
const (
	profileMaxItems  = 1
	bulletinMaxItems = 50
)

// Publish signs in with cfg, publishes doc as one item on node at service
// (creating the node, open to subscribers, when it does not exist yet),
// signs out and returns the item id. It is for IT's tool: a node can only be
// created by an administrator of the service on most servers.
func Publish(ctx context.Context, cfg Config, service, node string, doc Signed) (string, error) {
	if _, err := (signedXML{XMLName: xml.Name{Space: nsSigned, Local: "signed"}, Kind: doc.Kind,
		Data: base64.StdEncoding.EncodeToString(doc.Data), JWS: doc.JWS}).check(); err != nil {
		return "", err
	}
	if _, err := jid.Parse(service); err != nil || service == "" {
		return "", fmt.Errorf("the PubSub service %q is not a valid JID", service)
	}
	if node == "" {
		return "", errors.New("no PubSub node given")
	}
	cfg.DataDir = ""
	s, err := New(cfg)
	if err != nil {
		return "", err
	}
	a := &attempt{}
	xs, raw, err := s.dial(ctx, s.serverAddr(ctx), a)
	if err != nil {
		var f *failure
		if !errors.As(err, &f) {
			f = s.classify(err, a)
		}
		return "", f
	}
	defer func() {
		xs.Close()
		raw.Close()
	}()
	if dl, ok := ctx.Deadline(); ok {
		raw.SetDeadline(dl)
	} else {
		raw.SetDeadline(time.Now().Add(replyTimeout))
	}
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Now()) })
	defer stop()

	maxItems := profileMaxItems
	if doc.Kind == KindBulletin {
		maxItems = bulletinMaxItems
	}
	itemID := randomID()
	r, err := exchange(xs, service, publishIQ(randomID(), service, node, itemID, doc))
	if err == nil && r.Type == "error" && r.condition() == "item-not-found" {
		c, cerr := exchange(xs, service, createIQ(randomID(), service, node, maxItems))
		if cerr != nil {
			return "", cerr
		}
		if c.Type == "error" && c.condition() != "conflict" {
			return "", fmt.Errorf("the node %s does not exist on %s and could not be created: %s (only an administrator of the service may create nodes)", node, service, c.Error.String())
		}
		r, err = exchange(xs, service, publishIQ(randomID(), service, node, itemID, doc))
	}
	if err != nil {
		return "", err
	}
	if r.Type == "error" {
		hint := ""
		if c := r.condition(); c == "forbidden" || c == "not-authorized" {
			hint = fmt.Sprintf(" (%s may not publish there: only an administrator of the service, or a publisher of the node, may)", s.bare)
		}
		return "", fmt.Errorf("%s refused to publish on %s: %s%s", service, node, r.Error.String(), hint)
	}
	if r.PubSub != nil && r.PubSub.Publish != nil && len(r.PubSub.Publish.Items) > 0 && r.PubSub.Publish.Items[0].ID != "" {
		itemID = r.PubSub.Publish.Items[0].ID
	}
	return itemID, nil
}

// check is decode for a document about to be sent.
func (x signedXML) check() (Signed, error) { return x.decode() }

// pubsubReply is an IQ answer read by exchange.
type pubsubReply struct {
	XMLName xml.Name
	ID      string       `xml:"id,attr"`
	From    string       `xml:"from,attr"`
	Type    string       `xml:"type,attr"`
	PubSub  *pubsubQuery `xml:"http://jabber.org/protocol/pubsub pubsub"`
	Error   *stanzaError `xml:"error"`
}

func (r *pubsubReply) condition() string {
	if r.Error == nil {
		return ""
	}
	for _, c := range r.Error.Conditions {
		if c.XMLName.Space == nsStanzaErr && c.XMLName.Local != "text" {
			return c.XMLName.Local
		}
	}
	return ""
}

// exchange writes an IQ on a stream nobody else reads and returns its
// answer from to, skipping anything else.
func exchange(xs *xmpp.Session, to string, req *el) (*pubsubReply, error) {
	id := ""
	for _, a := range req.attrs {
		if a.Name.Local == "id" {
			id = a.Value
		}
	}
	if err := writeElement(xs, req); err != nil {
		return nil, err
	}
	for {
		var r pubsubReply
		start, err := readElement(xs, &r)
		if err != nil {
			return nil, err
		}
		if start.Name.Local == "iq" && r.ID == id && sameJID(r.From, to) && (r.Type == "result" || r.Type == "error") {
			return &r, nil
		}
	}
}
