package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
)

func TestIdentityWords(t *testing.T) {
	changed := idBob
	changed.IdentityChanged = true
	tests := []struct {
		name       string
		trust      event.Trust
		kind       IdentityKind
		text, full string
		banner     BannerKind
		bannerHas  string
	}{
		{"not fetched", tInternal, IdentityNone, "", "", BannerHidden, ""},
		{"verified", idBob, IdentityOK, "Verified", "Verified · Bob Martin · ACME (ACME Identity CA)", BannerHidden, ""},
		{"verified from the DNs only", event.Trust{Class: event.ClassInternal, Identity: event.IdentityVerified,
			Subject: "CN=Ann Lee,O=ACME", Issuer: "CN=ACME Identity CA,O=ACME"}, IdentityOK, "Verified", "Verified · Ann Lee · ACME (ACME Identity CA)", BannerHidden, ""},
		{"verified, nothing named", event.Trust{Class: event.ClassInternal, Identity: event.IdentityVerified}, IdentityOK, "Verified", "Verified", BannerHidden, ""},
		{"unverified", idCarol, IdentityNeutral, "Not verified", "Identity not verified", BannerHidden, ""},
		{"expired", idErin, IdentityBroken, "Certificate expired", "Identity certificate expired", BannerError, "The certificate expired on 1 Nov 2026."},
		{"revoked", idHeidi, IdentityBroken, "Certificate revoked", "Identity certificate revoked", BannerError, "revoked by IT"},
		{"mismatch", idMallet, IdentityBroken, "Wrong identity", "Certificate names someone else", BannerError, "names someone else"},
		{"changed", changed, IdentityChanging, "Identity changed", "Identity changed: check before you write", BannerError, "Sending is locked"},
	}
	for _, tt := range tests {
		m := IdentityBadge(tt.trust, "x@acme.test/r")
		if tt.kind == IdentityOK && m.Full == "Verified · Bob Martin · ACME (ACME Identity CA)" && m.Mid != "Verified · Bob Martin · ACME" {
			t.Errorf("%s: shorter words %q", tt.name, m.Mid)
		}
		if m.Kind != tt.kind || m.Text != tt.text || m.Full != tt.full {
			t.Errorf("%s: mark %+v, want %v %q %q", tt.name, m, tt.kind, tt.text, tt.full)
		}
		if tt.kind != IdentityNone && m.JID != "x@acme.test" {
			t.Errorf("%s: mark opens %q, want the bare JID", tt.name, m.JID)
		}
		if b := TrustBadge(tt.trust, "x@acme.test"); b.Identity.Text != tt.text {
			t.Errorf("%s: the trust badge carries identity %q", tt.name, b.Identity.Text)
		}
		b := IdentityBanner(tt.trust, nil, "x@acme.test", "X")
		if b.Kind != tt.banner || !strings.Contains(b.String(), tt.bannerHas) {
			t.Errorf("%s: banner %v %q, want %v with %q", tt.name, b.Kind, b.String(), tt.banner, tt.bannerHas)
		}
	}
	// The change reported names what changed.
	for change, want := range map[string]string{
		event.ChangeNewDevice:   "Bob is using a new device without a valid certificate.",
		event.ChangeCertificate: "The certificate of Bob changed.",
		event.ChangeLost:        "Bob is no longer verified.",
		"":                      "The identity of Bob changed.",
	} {
		b := IdentityBanner(idBob, &event.IdentityChanged{JID: "bob@acme.test", Change: change, Detail: "bob@acme.test has a new device 9f9f"}, "bob@acme.test", "Bob")
		// The session's sentence as written (an address keeps its case).
		if b.Title != want || !strings.HasPrefix(b.Text, "bob@acme.test has a new device 9f9f.") || !strings.Contains(b.Text, "in person or by phone") {
			t.Errorf("change %q: banner %q / %q", change, b.Title, b.Text)
		}
	}
	// A notification says a broken or changed identity as well.
	for _, tt := range []struct {
		trust event.Trust
		want  string
	}{
		{idBob, ""},
		{idCarol, ""},
		{idHeidi, "[Certificate revoked] "},
		{changed, "[Identity changed] "},
		{idMallet, "[Partner · Partner Ltd] [Wrong identity] "},
	} {
		if got := NotePrefix(tt.trust, "x@acme.test"); got != tt.want {
			t.Errorf("notification prefix %q, want %q", got, tt.want)
		}
	}
	// A locked peer's files wait too, and the hint says why.
	if FileSendAllowed(changed) {
		t.Error("files allowed while an identity change waits")
	}
	if _, files := ComposerHints(changed, "bob@acme.test"); !strings.Contains(files, "identity change") {
		t.Errorf("file hint while locked: %q", files)
	}
}

func TestSignatureNotes(t *testing.T) {
	tests := []struct {
		sig, want string
		warn      bool
	}{
		{event.SignatureValid, "Signed by Alice’s certified device", false},
		{event.SignatureMissing, "Not signed, although Alice uses certified devices: it may not be from them", true},
		{event.SignatureInvalid, "Signature does not match: this message may have been altered or replayed", true},
		{event.SignatureUnknown, "Signed by a device of Alice without a valid certificate", true},
		{"", "", false},
	}
	for _, tt := range tests {
		got, warn := SignatureNote(tt.sig, "Alice")
		if got != tt.want || warn != tt.warn {
			t.Errorf("%q: %q warn %v, want %q warn %v", tt.sig, got, warn, tt.want, tt.warn)
		}
	}
	if got, _ := SignatureNote(event.SignatureValid, "James"); got != "Signed by James’ certified device" {
		t.Errorf("possessive of James: %q", got)
	}
}

func TestEnrolmentWords(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	it := "it-admin@acme.test"
	tests := []struct {
		e                         event.Enrolment
		kind                      BannerKind
		stateHas                  string
		request, export, imp, top bool
	}{
		{event.Enrolment{State: event.EnrolNone, ITJID: it}, BannerWarning, "no identity certificate yet", true, true, true, false},
		{event.Enrolment{State: event.EnrolNone}, BannerWarning, "no identity certificate yet", false, true, true, false},
		{event.Enrolment{State: event.EnrolPending, ITJID: it}, BannerInfo, "waiting for IT", false, true, true, false},
		{event.Enrolment{State: event.EnrolEnrolled, ITJID: it, NotAfter: now.Add(time.Hour)}, BannerSuccess, "valid identity certificate", false, false, true, false},
		{event.Enrolment{State: event.EnrolExpired, ITJID: it, NotAfter: now.Add(-time.Hour)}, BannerWarning, "expired on 27 Nov 2026", true, true, true, true},
		{event.Enrolment{State: event.EnrolExpired, ITJID: it, NotAfter: now.Add(72 * time.Hour)}, BannerWarning, "expires on 30 Nov 2026", true, true, true, true},
		{event.Enrolment{State: event.EnrolRejected, ITJID: it, Reason: "not in the inventory"}, BannerWarning, "declined", true, true, true, false},
		{event.Enrolment{State: event.EnrolLostKey, ITJID: it}, BannerError, "lost its identity key", true, true, true, true},
		{event.Enrolment{State: event.EnrolNoKey}, BannerWarning, "Identity features are off", false, false, false, false},
	}
	for _, tt := range tests {
		v := EnrolmentWords(tt.e, true, now)
		if v.Kind != tt.kind || !strings.Contains(v.State, tt.stateHas) || v.CanRequest != tt.request || v.CanExport != tt.export ||
			v.CanImport != tt.imp || v.Prominent != tt.top {
			t.Errorf("%s (IT %q): %+v", tt.e.State, tt.e.ITJID, v)
		}
		if (!v.CanRequest || !v.CanExport) && tt.e.State != event.EnrolEnrolled && v.Why == "" {
			t.Errorf("%s: an action is off without saying why", tt.e.State)
		}
	}
	if v := EnrolmentWords(event.Enrolment{}, false, now); v.CanRequest || v.CanExport || v.Prominent {
		t.Errorf("before any report: %+v", v)
	}
	if v := EnrolmentWords(event.Enrolment{State: event.EnrolRejected, Reason: "not in the inventory"}, true, now); v.Text != "not in the inventory." {
		t.Errorf("rejected text %q", v.Text)
	}
}

func TestServerTrustWords(t *testing.T) {
	tests := []struct {
		trust  string
		pinned bool
		want   string
	}{
		{"profile", false, "Chains to a server CA named in ACME’s profile."},
		{"profile", true, "Chains to a server CA named in ACME’s profile. ACME IT pins the server CA: the system roots alone are not accepted."},
		{"configured", false, "Chains to the CA configured for this client (not from the profile)."},
		{"system", false, "Chains to the system’s trusted roots only, not to a CA named by ACME."},
		{"", false, "Not reported by the session."},
	}
	for _, tt := range tests {
		if got := ServerTrustWords(tt.trust, tt.pinned, "ACME"); got != tt.want {
			t.Errorf("%q pinned %v: %q, want %q", tt.trust, tt.pinned, got, tt.want)
		}
	}
}
