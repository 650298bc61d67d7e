package session

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"time"

	"mellium.im/xmpp/jid"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/identity"
	"github.com/palisade-im/palisade/training"
)

// IT's side of the training reports: the IT tool collects the reports that
// clients sent to the IT account from that account's message archive
// (MAM). It sends no presence, so the messages the server keeps offline
// stay there for whatever else reads that account (certificate requests).

// ReceivedReport is a completion report as IT received it, not yet
// verified: the IT tool checks the signature and the certificate.
type ReceivedReport struct {
	ArchiveID string    // the id of the message in IT's archive
	From      string    // the sender, as the server stamped it
	Time      time.Time // when the server received it
	Data, Sig []byte    // the signed report document and its signature
	Chain     [][]byte  // the device certificate chain, DER, leaf first
	Problem   string    // the element could not be read (then Data, Sig, Chain may be empty)
}

// DecodeReport reads a <report xmlns="urn:palisade:training:1"> element
// (as it travels in a message, or saved to a file for offline checking).
func DecodeReport(data []byte) (ReceivedReport, error) {
	var x struct {
		XMLName xml.Name
		reportXML
	}
	if err := xml.Unmarshal(data, &x); err != nil {
		return ReceivedReport{}, fmt.Errorf("not a training report element: %v", err)
	}
	if x.XMLName.Space != nsTraining || x.XMLName.Local != "report" {
		return ReceivedReport{}, fmt.Errorf("not a training report: the element is <%s xmlns=%q>, want <report xmlns=%q>", x.XMLName.Local, x.XMLName.Space, nsTraining)
	}
	r := decodeReportXML(&x.reportXML)
	if r.Problem != "" {
		return r, errors.New(r.Problem)
	}
	return r, nil
}

func decodeReportXML(x *reportXML) ReceivedReport {
	var r ReceivedReport
	var err error
	dec := func(what, s string) []byte {
		if err != nil {
			return nil
		}
		var b []byte
		b, err = base64.StdEncoding.DecodeString(strings.TrimSpace(s))
		if err != nil {
			err = fmt.Errorf("the %s is not base64: %v", what, err)
		} else if len(b) == 0 {
			err = fmt.Errorf("the %s is empty", what)
		}
		return b
	}
	r.Data = dec("report data", x.Data)
	r.Sig = dec("signature", x.Sig)
	if len(x.Certs) == 0 && err == nil {
		err = errors.New("no device certificate")
	}
	for _, c := range x.Certs {
		r.Chain = append(r.Chain, dec("certificate", c))
	}
	if err != nil {
		r.Problem = err.Error()
	}
	return r
}

// EncodeReport is the <report/> element for data, sig and chain, as
// clients send it (for saving a report to a file).
func EncodeReport(data, sig []byte, chain [][]byte) []byte {
	x := struct {
		XMLName xml.Name `xml:"urn:palisade:training:1 report"`
		reportXML
	}{reportXML: reportXML{Data: base64.StdEncoding.EncodeToString(data), Sig: base64.StdEncoding.EncodeToString(sig)}}
	for _, c := range chain {
		x.Certs = append(x.Certs, base64.StdEncoding.EncodeToString(c))
	}
	b, _ := xml.Marshal(x)
	return b
}

// maxCollect bounds the archive pages read in one collection.
const maxCollectPages = 200

// CollectTrainingReports signs in with cfg (IT's account), reads the
// account's archive after the archive id after ("" = from the oldest
// message kept), and returns the training reports found and the id of the
// last archived message read (after itself when there was nothing new),
// for the next collection. Messages that are not training reports are
// skipped.
func CollectTrainingReports(ctx context.Context, cfg Config, after string) ([]ReceivedReport, string, error) {
	cfg.DataDir = ""
	s, err := New(cfg)
	if err != nil {
		return nil, after, err
	}
	a := &attempt{}
	xs, raw, err := s.dial(ctx, s.serverAddr(ctx), a)
	if err != nil {
		var f *failure
		if !errors.As(err, &f) {
			f = s.classify(err, a)
		}
		return nil, after, f
	}
	defer func() {
		xs.Close()
		raw.Close()
	}()
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Now()) })
	defer stop()
	var out []ReceivedReport
	renew := func() {
		if dl, ok := ctx.Deadline(); ok {
			raw.SetDeadline(dl)
		} else {
			raw.SetDeadline(time.Now().Add(replyTimeout))
		}
	}
	last, err := s.readOwnArchive(xs, after, renew, func(m *archivedIn) {
		fw := m.Result.Forwarded
		if fw.Message.Report == nil {
			return
		}
		r := decodeReportXML(fw.Message.Report)
		r.ArchiveID, r.From = m.Result.ID, fw.Message.From
		r.Time, _ = time.Parse(time.RFC3339Nano, fw.Delay.Stamp)
		out = append(out, r)
	})
	return out, last, err
}

// VerifyReceivedReport verifies a report as IT received it: the device
// certificate chain must be verified by v for the JID the report names
// (a trusted identity CA, valid now, not revoked, naming that JID), the
// signature must match the certified key, the report's device id the
// certificate's, and, when From is known, the sender must be that JID.
func VerifyReceivedReport(v *identity.Verifier, r ReceivedReport, now time.Time) (training.Report, identity.Result, error) {
	if r.Problem != "" {
		return training.Report{}, identity.Result{}, errors.New(r.Problem)
	}
	var claimed training.Report
	if len(r.Data) > training.MaxReportSize || json.Unmarshal(r.Data, &claimed) != nil || claimed.JID == "" {
		return training.Report{}, identity.Result{}, errors.New("the report data is not a training report")
	}
	res := v.Verify(r.Chain, claimed.JID, now)
	if res.Status != event.IdentityVerified {
		return claimed, res, fmt.Errorf("device certificate rejected (%s): %s", res.Status, res.Reason)
	}
	rep, err := training.VerifyReport(res.PublicKey, r.Data, r.Sig)
	if err != nil {
		return claimed, res, err
	}
	if res.DeviceID != "" && rep.DeviceID != res.DeviceID {
		return rep, res, fmt.Errorf("the report names device %s, the certificate device %s", rep.DeviceID, res.DeviceID)
	}
	if r.From != "" && !sameBare(r.From, rep.JID) {
		return rep, res, fmt.Errorf("sent by %s, not by %s whom the report names", r.From, rep.JID)
	}
	return rep, res, nil
}

func sameBare(full, bare string) bool {
	a, err1 := jid.Parse(full)
	b, err2 := jid.Parse(bare)
	return err1 == nil && err2 == nil && a.Bare().Equal(b.Bare())
}
