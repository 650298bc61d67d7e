package session

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"time"

	"mellium.im/xmpp"
	"mellium.im/xmpp/jid"
)

// IT's side of enrolment (enrol.go describes the protocol), used by
// palisade-admin ca inbox, approve and reject: the requests clients sent to
// the IT account are read from the account's message archive (MAM), so that
// nothing is lost while IT's tool is not running and nothing is removed
// from the server; answers go out as normal messages to the requester's
// bare JID, which the server keeps offline until the client signs in.

// ReceivedRequest is one certificate request found in IT's archive.
type ReceivedRequest struct {
	ArchiveID string    // the archive's id of the message
	From      string    // the sender as the server stamped it (full or bare JID)
	ID        string    // the request id the answer must carry
	CSR       []byte    // PEM
	Time      time.Time // when the server archived it
}

// archivedIn is an element read while IT's tool pages through its own
// archive: a result carrying a certificate request or a training report,
// or the query's answer.
type archivedIn struct {
	XMLName xml.Name
	ID      string `xml:"id,attr"`
	From    string `xml:"from,attr"`
	Type    string `xml:"type,attr"`
	Result  *struct {
		QueryID   string `xml:"queryid,attr"`
		ID        string `xml:"id,attr"`
		Forwarded struct {
			Delay struct {
				Stamp string `xml:"stamp,attr"`
			} `xml:"urn:xmpp:delay delay"`
			Message struct {
				From   string     `xml:"from,attr"`
				Enrol  *enrolXML  `xml:"urn:palisade:enrol:1 enrol"`
				Report *reportXML `xml:"urn:palisade:training:1 report"`
			} `xml:"message"`
		} `xml:"urn:xmpp:forward:0 forwarded"`
	} `xml:"urn:xmpp:mam:2 result"`
	Fin *struct {
		Complete string `xml:"complete,attr"`
		Set      struct {
			Last string `xml:"last"`
		} `xml:"http://jabber.org/protocol/rsm set"`
	} `xml:"urn:xmpp:mam:2 fin"`
	Error *stanzaError `xml:"error"`
}

// adminStream signs in with cfg for a short exchange.
func adminStream(ctx context.Context, cfg Config) (*Session, func(), *xmpp.Session, error) {
	cfg.DataDir = ""
	s, err := New(cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	a := &attempt{}
	xs, raw, err := s.dial(ctx, s.serverAddr(ctx), a)
	if err != nil {
		var f *failure
		if !errors.As(err, &f) {
			f = s.classify(err, a)
		}
		return nil, nil, nil, f
	}
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Now()) })
	if dl, ok := ctx.Deadline(); ok {
		raw.SetDeadline(dl)
	} else {
		raw.SetDeadline(time.Now().Add(replyTimeout))
	}
	closeAll := func() {
		stop()
		xs.Close()
		raw.Close()
	}
	return s, closeAll, xs, nil
}

// CollectEnrolRequests signs in with cfg (IT's account), reads the
// account's archive after the archive id after ("" = from the oldest
// message kept) and returns the certificate requests found and the id of
// the last archived message read, for the next collection.
func CollectEnrolRequests(ctx context.Context, cfg Config, after string) ([]ReceivedRequest, string, error) {
	s, closeAll, xs, err := adminStream(ctx, cfg)
	if err != nil {
		return nil, after, err
	}
	defer closeAll()
	var out []ReceivedRequest
	last, err := s.readOwnArchive(xs, after, nil, func(m *archivedIn) {
		fw := m.Result.Forwarded
		if fw.Message.Enrol == nil {
			return
		}
		t, _ := time.Parse(time.RFC3339Nano, fw.Delay.Stamp)
		out = append(out, ReceivedRequest{ArchiveID: m.Result.ID, From: fw.Message.From, ID: fw.Message.Enrol.ID,
			CSR: []byte(strings.TrimSpace(fw.Message.Enrol.CSR) + "\n"), Time: t})
	})
	return out, last, err
}

// readOwnArchive pages through the account's own archive (MAM) after the
// archive id after, handing each archived message to each, and returns the
// id of the last one read. beforePage, when set, runs before each page is
// asked for (to renew a deadline). Only results of the query sent and from
// the account itself are taken.
func (s *Session) readOwnArchive(xs *xmpp.Session, after string, beforePage func(), each func(*archivedIn)) (string, error) {
	last := after
	for page := 0; page < maxCollectPages; page++ {
		if beforePage != nil {
			beforePage()
		}
		qid, iqID := randomID(), randomID()
		if err := writeElement(xs, ownArchivePage(iqID, qid, last)); err != nil {
			return last, err
		}
		for {
			var m archivedIn
			start, err := readElement(xs, &m)
			if err != nil {
				return last, err
			}
			own := m.From == "" || sameJID(m.From, s.bare.String())
			if start.Name.Local == "message" && m.Result != nil && m.Result.QueryID == qid && own {
				each(&m)
				continue
			}
			if start.Name.Local != "iq" || m.ID != iqID || !own {
				continue
			}
			if m.Type == "error" {
				return last, fmt.Errorf("the server refused to read the archive of %s: %s", s.bare, m.Error.String())
			}
			if m.Fin == nil {
				return last, errors.New("the server's archive answer has no <fin/>")
			}
			if m.Fin.Set.Last != "" {
				last = m.Fin.Set.Last
			}
			if m.Fin.Complete == "true" || m.Fin.Set.Last == "" {
				return last, nil
			}
			break
		}
	}
	return last, nil
}

// EnrolAnswer is IT's answer to one request: a certificate chain (PEM), or
// a rejection with a reason when Cert is empty.
type EnrolAnswer struct {
	To     string // the requester's JID (the bare JID is used)
	ID     string // the request id
	Cert   []byte
	Reason string
}

// SendEnrolAnswers signs in with cfg (IT's account) and sends each answer
// as a normal message to the requester's bare JID; it returns once the
// server has taken them all (a ping after them is answered).
func SendEnrolAnswers(ctx context.Context, cfg Config, answers []EnrolAnswer) error {
	s, closeAll, xs, err := adminStream(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeAll()
	for _, a := range answers {
		to, err := jid.Parse(a.To)
		if err != nil || to.Localpart() == "" {
			return fmt.Errorf("%q is not a user's address", a.To)
		}
		if a.ID == "" {
			return errors.New("an answer needs the request id")
		}
		var payload *el
		if len(a.Cert) > 0 {
			payload = elem(nsEnrol, "enrolled", "id", a.ID).add(child("cert", string(a.Cert)))
		} else {
			payload = elem(nsEnrol, "rejected", "id", a.ID).add(child("reason", a.Reason))
		}
		msg := elem(nsClient, "message", "type", "normal", "to", to.Bare().String(), "id", randomID()).add(payload)
		if err := writeElement(xs, msg); err != nil {
			return err
		}
	}
	// A ping to the server: its answer comes after the messages were routed.
	r, err := exchange(xs, s.bare.Domainpart(), iq("get", randomID(), s.bare.Domainpart(), elem(nsPing, "ping")))
	if err != nil {
		return err
	}
	_ = r // an error answer (no ping support) still shows the messages were read
	return nil
}

// ownArchivePage asks the account's own archive (MAM) for the 100 results
// after the archive id after ("" = from the start), as query qid. The IT
// tool's inboxes read requests and reports this way, page by page.
func ownArchivePage(iqID, qid, after string) *el {
	form := elem(nsXData, "x", "type", "submit").add(
		elem("", "field", "var", "FORM_TYPE", "type", "hidden").add(child("value", nsMAM)))
	set := elem(nsRSM, "set").add(child("max", "100"))
	if after != "" {
		set.add(child("after", after))
	}
	return iq("set", iqID, "", elem(nsMAM, "query", "queryid", qid).add(form, set))
}
