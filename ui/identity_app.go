package ui

import (
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"

	"github.com/palisade-im/palisade/event"
)

// identityState is what the GUI keeps of the session's identity events:
// this device's enrolment, peers' certificates as last reported, and the
// identity changes that wait for the user's acknowledgement.
type identityState struct {
	enrol      event.Enrolment
	enrolKnown bool
	// enrolErr is the last error of an enrolment command, shown in the
	// account panel until the next Enrolment.
	enrolErr string
	// exported is the path of a request being exported, for the notice.
	exported string
	// dismissed is the enrolment state whose top banner the user closed.
	dismissed string
	// changes are the identity changes not yet acknowledged, by bare JID.
	changes map[string]event.IdentityChanged
	// certs are the certificates last reported, by bare JID.
	certs map[string]event.Certificates
	// certsUI is the open certificate details dialog, nil when closed.
	certsUI *certPanel
}

// identityLocked reports whether sending to jid waits for the user to
// acknowledge an identity change: the session reported one, or its latest
// verdict says so.
func (a *App) identityLocked(jid string) bool {
	jid = bareJID(jid)
	if _, ok := a.ident.changes[jid]; ok {
		return true
	}
	return IdentityLocked(a.roster.Trust(jid))
}

// identityChange is the change reported for jid, or nil.
func (a *App) identityChange(jid string) *event.IdentityChanged {
	if c, ok := a.ident.changes[bareJID(jid)]; ok {
		return &c
	}
	return nil
}

// lockIdentity records an identity change of jid (from IdentityChanged,
// or a refusal with code identity) and marks the verdict locked.
func (a *App) lockIdentity(c event.IdentityChanged) {
	jid := bareJID(c.JID)
	if jid == "" {
		return
	}
	if a.ident.changes == nil {
		a.ident.changes = map[string]event.IdentityChanged{}
	}
	c.JID = jid
	a.ident.changes[jid] = c
	t := c.Trust
	if t.Class == "" {
		t = a.roster.Trust(jid)
	}
	t.IdentityChanged = true
	a.roster.SetTrust(jid, t)
}

// applyIdentity applies an identity event. It returns the peer whose
// verdict or conversation changed ("" for none) and whether this device's
// enrolment did.
func (a *App) applyIdentity(ev event.Event, now time.Time) (peer string, enrolDirty bool) {
	switch e := ev.(type) {
	case event.Enrolment:
		if a.ident.exported != "" && a.ident.enrolErr == "" {
			d := tv{"Path": filepath.Clean(a.ident.exported), "IT": e.ITJID}
			msg := lang.L("Certificate request written to {{.Path}}. Send this file to IT, then import the certificate they return (Settings).", d)
			if e.ITJID != "" {
				msg = lang.L("Certificate request written to {{.Path}}. Send this file to IT ({{.IT}}), then import the certificate they return (Settings).", d)
			}
			a.profile.addNotice(NoticeSuccess, msg)
		}
		a.ident.exported = ""
		if e.State != a.ident.enrol.State {
			a.ident.dismissed = ""
		}
		a.ident.enrol, a.ident.enrolKnown, a.ident.enrolErr = e, true, ""
		return "", true
	case event.Certificates:
		jid := bareJID(e.JID)
		if a.ident.certs == nil {
			a.ident.certs = map[string]event.Certificates{}
		}
		a.ident.certs[jid] = e
		t := e.Trust
		if a.identityLocked(jid) {
			t.IdentityChanged = true
		}
		a.roster.SetTrust(jid, t)
		if p := a.ident.certsUI; p != nil && p.jid == jid {
			a.fillCertificates()
		}
		return jid, false
	case event.IdentityChanged:
		jid := bareJID(e.JID)
		a.lockIdentity(e)
		if a.chats.Has(jid) {
			name := a.roster.Contact(jid).DisplayName()
			// The detail when the session gave one (it names the device and
			// why), else what changed: kept in the conversation once the
			// banner has gone.
			line := changeTitle(e.Change, name)
			if d := strings.TrimSpace(e.Detail); d != "" {
				line = lang.L("Identity change: {{.Detail}}", tv{"Detail": endSentence(d)})
			}
			a.chats.System(jid, line+" "+lang.L("Sending is locked until you confirm you have checked it."), now)
		}
		if p := a.ident.certsUI; p != nil && p.jid == jid {
			a.fillCertificates()
		}
		return jid, false
	case event.IdentityAcknowledged:
		jid := bareJID(e.JID)
		delete(a.ident.changes, jid)
		t := e.Trust
		if t.Class == "" {
			t = a.roster.Trust(jid)
		}
		t.IdentityChanged = false
		a.roster.SetTrust(jid, t)
		if a.chats.Has(jid) {
			a.chats.System(jid, lang.L("You confirmed you checked the identity of {{.Name}}. Sending is unlocked.", tv{"Name": a.roster.Contact(jid).DisplayName()}), now)
		}
		if p := a.ident.certsUI; p != nil && p.jid == jid {
			a.fillCertificates()
		}
		return jid, false
	}
	return "", false
}

// identityCommands are the commands whose errors the account panel shows.
var identityCommands = map[string]bool{
	(event.Enrol{}).CommandName():             true,
	(event.ExportRequest{}).CommandName():     true,
	(event.ImportCertificate{}).CommandName(): true,
}

// identityError keeps an enrolment command's error for the account panel.
// It reports whether e was one.
func (a *App) identityError(e event.Error) bool {
	if !identityCommands[e.Command] {
		return false
	}
	a.ident.enrolErr = e.Message
	a.ident.exported = ""
	if a.onMain {
		a.main.refreshEnrolment()
	}
	return true
}

// ackIdentity tells the session the user checked jid's identity change;
// the composer unlocks when the session confirms (IdentityAcknowledged).
func (a *App) ackIdentity(jid string) {
	jid = bareJID(jid)
	if jid == "" || !a.identityLocked(jid) {
		return
	}
	text := IdentityBanner(a.roster.Trust(jid), a.identityChange(jid), jid, a.roster.Contact(jid).DisplayName()).String()
	a.warned("identity_changed", jid, text, true)
	a.do(event.AckIdentity{JID: jid})
}

// enrol asks the session to send this device's certificate request to IT.
func (a *App) enrol() {
	a.ident.enrolErr = ""
	a.do(event.Enrol{})
}

// exportRequest asks where to write this device's certificate request for
// an offline exchange with IT.
func (a *App) exportRequest() {
	name := "palisade-request.csr.pem"
	if l := localPart(a.self); l != "" {
		name = l + "-" + name
	}
	a.chooseSave(lang.L("Export the certificate request for IT"), name, func(path string) {
		a.ident.enrolErr = ""
		a.ident.exported = path
		a.do(event.ExportRequest{Path: path})
	})
}

// importCertificate asks for the certificate file IT returned.
func (a *App) importCertificate() {
	a.chooseFile(lang.L("Import the certificate from IT"), func(path string) {
		a.ident.enrolErr = ""
		a.do(event.ImportCertificate{Path: path})
	})
}

// ShowSettings opens the settings and account panel. Call it on the Fyne
// event loop.
func (a *App) ShowSettings() {
	if a.onMain {
		a.main.showSettings()
	}
}

// ShowCertificates opens the certificate details of jid. Call it on the
// Fyne event loop.
func (a *App) ShowCertificates(jid string) {
	if a.onMain {
		a.showCertificates(jid)
	}
}
