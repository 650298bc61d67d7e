package event

import "time"

// Identity (issue "explicit identities verified by certificate"): device keys,
// organisation-issued device certificates, verification of every peer's
// certificates, signed messages and identity changes.
//
// Each device has its own key pair; the private key lives only in the OS
// keyring. IT's identity CA certifies the device (enrolment); the device
// publishes its certificate on the PEP node DevicesNode so that contacts can
// fetch and verify it. The verdict on a peer travels in Trust.Identity.

// Identity states carried by Trust.Identity and DeviceCert.Status.
const (
	IdentityVerified   = "verified"   // a valid certificate from a trusted identity CA names exactly this JID
	IdentityUnverified = "unverified" // no certificate, or none from a CA the profile trusts
	IdentityExpired    = "expired"    // the best certificate is outside its validity period
	IdentityRevoked    = "revoked"    // the certificate is on the profile's revocation list
	IdentityMismatch   = "mismatch"   // the certificate names another JID
)

// Enrolment states carried by Enrolment.State.
const (
	EnrolNone     = "none"     // the device has a key but no certificate; Enrol or ExportRequest next
	EnrolPending  = "pending"  // a request was sent to IT; waiting for the certificate
	EnrolEnrolled = "enrolled" // the device holds a valid certificate
	EnrolExpired  = "expired"  // the device certificate has expired or expires soon: enrol again
	EnrolRejected = "rejected" // IT declined the request (Reason says why)
	EnrolLostKey  = "lost-key" // the private key disappeared from the keyring: the old identity is gone; re-enrolment started with a new key
	EnrolNoKey    = "no-key"   // no keyring to hold a device key: identity features are off
)

// Enrolment describes this device's identity; emitted at start, on every
// change, and in answer to GetEnrolment.
type Enrolment struct {
	State    string    `json:"state"` // one of the Enrol* constants
	DeviceID string    `json:"device_id,omitempty"`
	Subject  string    `json:"subject,omitempty"`
	Issuer   string    `json:"issuer,omitempty"`
	NotAfter time.Time `json:"not_after,omitzero"`
	ITJID    string    `json:"it_jid,omitempty"` // where requests go (from the profile)
	Reason   string    `json:"reason,omitempty"` // one sentence for the user
}

// DeviceCert is one device certificate of a peer, for the details view.
type DeviceCert struct {
	DeviceID  string    `json:"device_id"`
	Status    string    `json:"status"` // one of the Identity* constants
	Reason    string    `json:"reason,omitempty"`
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	Serial    string    `json:"serial"`
	SHA256    string    `json:"sha256"` // colon-separated upper-case hex of the DER
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	JID       string    `json:"jid"`               // the id-on-xmppAddr name in the certificate
	Chain     []string  `json:"chain,omitempty"`   // subjects from the certificate up to the trusted CA
	Current   bool      `json:"current,omitempty"` // the device that signed the peer's latest message
}

// Certificates answers GetCertificates and follows every change of a peer's
// published devices.
type Certificates struct {
	JID     string       `json:"jid"`
	Devices []DeviceCert `json:"devices"`
	Trust   Trust        `json:"trust"`
}

// Identity change kinds carried by IdentityChanged.Change.
const (
	ChangeNewDevice   = "new-device"  // a verified peer shows a device without a valid certificate
	ChangeCertificate = "certificate" // a device's certificate changed (new key, other CA, ...)
	ChangeLost        = "lost"        // the peer's identity is no longer verified (revoked, expired, mismatch)
)

// IdentityChanged: a verified peer appeared with a new, uncertified device or
// a changed certificate. Sending to the peer is refused (RefusedIdentity)
// until the user acknowledges the change with AckIdentity; the change and the
// acknowledgement are recorded in the audit log.
type IdentityChanged struct {
	JID      string `json:"jid"`
	Change   string `json:"change"` // one of the Change* constants
	DeviceID string `json:"device_id,omitempty"`
	Detail   string `json:"detail"` // one sentence for the banner
	Trust    Trust  `json:"trust"`
}

// IdentityAcknowledged: the user acknowledged an identity change; sending to
// the peer is unlocked.
type IdentityAcknowledged struct {
	JID   string `json:"jid"`
	Trust Trust  `json:"trust"`
}

// Signature states carried by Message.Signature.
const (
	SignatureValid   = "valid"   // signed by a certified device of the sender
	SignatureMissing = "missing" // the sender has certified devices but this message is unsigned
	SignatureInvalid = "invalid" // a signature is present but wrong (tampered, other device, replayed)
	SignatureUnknown = "unknown" // signed by a device with no valid certificate
)

// GetEnrolment asks for an Enrolment event.
type GetEnrolment struct{}

// Enrol sends a certificate request for this device to the IT JID named in
// the profile; the certificate comes back over XMPP. An Enrolment event
// (pending) follows, then another (enrolled or rejected).
type Enrol struct{}

// ExportRequest writes this device's certificate request (PEM) to Path for
// an offline exchange with IT; answered by Enrolment.
type ExportRequest struct {
	Path string `json:"path"`
}

// ImportCertificate installs a device certificate (PEM, with its chain) that
// IT issued offline; answered by Enrolment, or Error when it does not match
// this device's key or JID or is not from a trusted identity CA.
type ImportCertificate struct {
	Path string `json:"path"`
}

// GetCertificates asks for a peer's device certificates; answered by Certificates.
type GetCertificates struct {
	JID string `json:"jid"`
}

// AckIdentity acknowledges a peer's identity change; answered by IdentityAcknowledged.
type AckIdentity struct {
	JID string `json:"jid"`
}

func init() {
	register(func() Command { return &GetEnrolment{} })
	register(func() Command { return &Enrol{} })
	register(func() Command { return &ExportRequest{} })
	register(func() Command { return &ImportCertificate{} })
	register(func() Command { return &GetCertificates{} })
	register(func() Command { return &AckIdentity{} })
}

func (Enrolment) EventName() string            { return "enrolment" }
func (Certificates) EventName() string         { return "certificates" }
func (IdentityChanged) EventName() string      { return "identity_changed" }
func (IdentityAcknowledged) EventName() string { return "identity_acknowledged" }

func (GetEnrolment) CommandName() string      { return "enrolment" }
func (Enrol) CommandName() string             { return "enrol" }
func (ExportRequest) CommandName() string     { return "export_request" }
func (ImportCertificate) CommandName() string { return "import_certificate" }
func (GetCertificates) CommandName() string   { return "certificates" }
func (AckIdentity) CommandName() string       { return "ack_identity" }
