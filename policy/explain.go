package policy

import "strings"

// Explanation is what `client policy explain` prints for one JID: the
// verdict and whether files may be sent, as JSON.
type Explanation struct {
	JID         string   `json:"jid"`
	Class       string   `json:"class"`
	Org         string   `json:"org"`
	LookalikeOf string   `json:"lookalike_of"`
	Network     string   `json:"network"`
	FileSend    string   `json:"file_send"` // "allowed" or "denied"
	Reason      string   `json:"reason"`
	Techniques  []string `json:"techniques"`
}

// Explain classifies jid and says whether a file of unknown size and type
// may be sent to it. Reason is the classification's reason, followed by the
// file rule's reason when files are denied for another reason.
func (e *Engine) Explain(jid string) Explanation {
	e = e.orEmpty()
	v := e.Classify(jid)
	ex := Explanation{
		JID:         jid,
		Class:       string(v.Class),
		Org:         v.Org,
		LookalikeOf: v.LookalikeOf,
		Network:     v.Network,
		FileSend:    "allowed",
		Reason:      v.Reason,
		Techniques:  append([]string{}, v.Techniques...),
	}
	if d := e.MayFile(jid, "", -1); !d.Allowed {
		ex.FileSend = "denied"
		switch {
		case strings.HasPrefix(d.Reason, v.Reason):
			ex.Reason = d.Reason
		default:
			ex.Reason = v.Reason + " " + d.Reason
		}
	}
	return ex
}
