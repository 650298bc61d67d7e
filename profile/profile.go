package profile

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	_ "embed"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/net/idna"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
	"github.com/palisade-im/palisade/policy"
)

// Schema is the JSON Schema (2020-12) of the profile format: schema.json.
//
//go:embed schema.json
var Schema []byte

// Format is the value of the "format" field of a profile.
const Format = "palisade-profile/1"

// BulletinFormat is the value of the "format" field of a bulletin.
const BulletinFormat = "palisade-bulletin/1"

// Defaults of the "it" section.
const (
	DefaultProfileNode  = "urn:palisade:profile:1"
	DefaultBulletinNode = "urn:palisade:bulletins:1"
)

// MaxSize is the largest profile or bulletin accepted, in bytes.
const MaxSize = 1 << 20

// Tor policies.
const (
	TorOff      = "off"
	TorOptional = "optional"
	TorRequired = "required"
)

// What happens to a file send when a scan is required but no scanner runs.
const (
	ScannerRefuse = "refuse"
	ScannerAllow  = "allow"
)

// Profile is a parsed configuration profile. Its fields mirror the JSON
// document; see schema.json for every field's meaning and constraints.
// A Profile returned by Parse is valid; treat it as read-only.
type Profile struct {
	Format         string           `json:"format"`
	ID             string           `json:"id"`
	Serial         int64            `json:"serial"`
	IssuedAt       time.Time        `json:"issued_at"`
	ExpiresAt      time.Time        `json:"expires_at"`
	Organisation   Organisation     `json:"organisation"`
	Partners       []Partner        `json:"partners,omitempty"`
	BlockedDomains []string         `json:"blocked_domains,omitempty"`
	Gateways       []Gateway        `json:"gateways,omitempty"`
	UnknownDomains string           `json:"unknown_domains,omitempty"` // warn (default), confirm, block
	Files          Files            `json:"files"`
	TrustedCAs     TrustedCAs       `json:"trusted_cas"`
	Training       Training         `json:"training"`
	Tor            string           `json:"tor,omitempty"` // off, optional (default), required
	Security       Security         `json:"security"`
	TorOnion       string           `json:"tor_onion,omitempty"` // "host.onion:port" of the company server, dialled when routing through Tor
	LockedSettings []string         `json:"locked_settings,omitempty"`
	FocusHours     *FocusHours      `json:"focus_hours,omitempty"`
	Archive        Archive          `json:"archive"`
	IT             IT               `json:"it"`
	NextKey        *jose.JSONWebKey `json:"next_key,omitempty"`

	raw []byte // the exact bytes parsed
}

// Organisation is the company the profile belongs to.
type Organisation struct {
	Name               string   `json:"name"`
	Domains            []string `json:"domains"`
	SubdomainsInternal bool     `json:"subdomains_internal,omitempty"`
}

// Partner is an approved partner organisation.
type Partner struct {
	Name         string   `json:"name"`
	Domains      []string `json:"domains"`
	FilesAllowed bool     `json:"files_allowed,omitempty"`
	MaxFileSize  int64    `json:"max_file_size,omitempty"` // bytes; 0 = the files section's max_size
	IdentityCAs  []string `json:"identity_cas,omitempty"`  // PEM: the partner's identity CAs, trusted for its domains only
}

// Gateway is a component bridging to a public network.
type Gateway struct {
	Domain  string `json:"domain"`
	Network string `json:"network"`
}

// Files are the file-send rules.
type Files struct {
	MaxSize            int64    `json:"max_size,omitempty"`      // bytes; 0 or absent = 100 MiB
	BlockedTypes       []string `json:"blocked_types,omitempty"` // absent = the built-in list; [] = none
	ScanRequired       bool     `json:"scan_required,omitempty"`
	ScannerUnavailable string   `json:"scanner_unavailable,omitempty"` // refuse (default) or allow
	// AutoDownload says whose offered files are fetched (into quarantine,
	// then scanned) without a click: "approved" (default: colleagues and
	// approved partners) or "never" (every file waits for the user's click).
	AutoDownload string `json:"auto_download,omitempty"`
}

// Files.AutoDownload values.
const (
	AutoDownloadApproved = "approved"
	AutoDownloadNever    = "never"
)

// AutoDownloads reports whether files offered by colleagues and approved
// partners are fetched without a click (never for anyone else).
func (p *Profile) AutoDownloads() bool {
	return p == nil || p.Files.AutoDownload != AutoDownloadNever
}

// Security tightens how the client signs in. The defaults are already
// strict (TLS always, SCRAM only, channel binding when offered, never
// PLAIN); these raise the floor further.
type Security struct {
	// MinSASL is the weakest SASL mechanism the client may use:
	// SCRAM-SHA-1 (default) or SCRAM-SHA-256.
	MinSASL string `json:"min_sasl,omitempty"`
	// RequireChannelBinding: only SCRAM-*-PLUS (channel binding) is used;
	// a server that does not offer it is refused.
	RequireChannelBinding bool `json:"require_channel_binding,omitempty"`
}

// SASL mechanism floors for security.min_sasl.
const (
	MinSASLSHA1   = "SCRAM-SHA-1"
	MinSASLSHA256 = "SCRAM-SHA-256"
)

// TrustedCAs are PEM-encoded CA certificates the client trusts.
type TrustedCAs struct {
	ServerTLS []string `json:"server_tls,omitempty"`
	Identity  []string `json:"identity,omitempty"`
	// Identity certificates revoked by serial, and CRLs (PEM) of the
	// identity CAs; PinServer: the server's certificate must chain to
	// ServerTLS (system roots alone are not enough). See identity.go.
	Revoked   []RevokedCert `json:"revoked,omitempty"`
	CRLs      []string      `json:"crls,omitempty"`
	PinServer bool          `json:"pin_server,omitempty"`
}

// Training lists the training modules a user must complete (see
// training.go for the accessors).
type Training struct {
	Required []string            `json:"required,omitempty"`
	Gates    map[string][]string `json:"gates,omitempty"`     // feature -> module ids; absent = each required module's own gates
	Modules  []string            `json:"modules,omitempty"`   // extra or replacement modules, in the module format
	ReportTo string              `json:"report_to,omitempty"` // bare JID for completion reports; default it.jid
}

// FocusHours are the default focus hours: during them, only colleagues
// reach the user; messages from anyone else are held silently and delivered
// when focus ends. The user may change them unless "focus_hours" is locked.
type FocusHours struct {
	Enabled  bool     `json:"enabled"`
	Days     []string `json:"days,omitempty"`  // mon..sun; absent = mon-fri
	Start    string   `json:"start,omitempty"` // "HH:MM", local time
	End      string   `json:"end,omitempty"`   // "HH:MM", local time
	Timezone string   `json:"timezone,omitempty"`
}

// Archive holds archive settings.
type Archive struct {
	RetentionDays int `json:"retention_days,omitempty"` // 0 = keep forever
}

// IT says where IT publishes profiles and bulletins and how to reach IT.
type IT struct {
	JID           string `json:"jid,omitempty"`
	PubSubService string `json:"pubsub_service,omitempty"` // default pubsub.<first internal domain>
	ProfileNode   string `json:"profile_node,omitempty"`   // default urn:palisade:profile:1
	BulletinNode  string `json:"bulletin_node,omitempty"`  // default urn:palisade:bulletins:1
}

// Bytes returns the exact bytes the profile was parsed from.
func (p *Profile) Bytes() []byte { return append([]byte(nil), p.raw...) }

// Expired reports whether the profile is past its expiry at now.
func (p *Profile) Expired(now time.Time) bool { return now.After(p.ExpiresAt) }

// Rules turns the profile into the policy engine's rules.
func (p *Profile) Rules() policy.Rules {
	r := policy.Rules{
		Org:                p.Organisation.Name,
		InternalDomains:    append([]string(nil), p.Organisation.Domains...),
		SubdomainsInternal: p.Organisation.SubdomainsInternal,
		BlockedDomains:     append([]string(nil), p.BlockedDomains...),
		UnknownDomains:     policy.UnknownAction(p.unknownDomains()),
		Files: policy.FileRules{
			MaxSize:      p.maxFileSize(),
			BlockedTypes: p.blockedTypes(),
			ScanRequired: p.Files.ScanRequired,
		},
	}
	for _, x := range p.Partners {
		r.Partners = append(r.Partners, policy.Partner{
			Name:         x.Name,
			Domains:      append([]string(nil), x.Domains...),
			FilesAllowed: x.FilesAllowed,
			MaxFileSize:  x.MaxFileSize,
		})
	}
	for _, g := range p.Gateways {
		r.Gateways = append(r.Gateways, policy.Gateway{Domain: g.Domain, Network: g.Network})
	}
	return r
}

func (p *Profile) unknownDomains() string {
	if p.UnknownDomains == "" {
		return string(policy.Warn)
	}
	return p.UnknownDomains
}

func (p *Profile) tor() string {
	if p.Tor == "" {
		return TorOptional
	}
	return p.Tor
}

func (p *Profile) maxFileSize() int64 {
	if p.Files.MaxSize == 0 {
		return policy.DefaultMaxFileSize
	}
	return p.Files.MaxSize
}

func (p *Profile) blockedTypes() []string {
	if p.Files.BlockedTypes == nil {
		return append([]string(nil), policy.DefaultBlockedTypes...)
	}
	return append([]string{}, p.Files.BlockedTypes...)
}

func (p *Profile) scannerUnavailable() string {
	if p.Files.ScannerUnavailable == "" {
		return ScannerRefuse
	}
	return p.Files.ScannerUnavailable
}

// Settings returns the effective values of the user-visible settings the
// profile sets, keyed by setting name (the names used in locked_settings).
func (p *Profile) Settings() map[string]string {
	s := map[string]string{
		"unknown_domains":           p.unknownDomains(),
		"tor":                       p.tor(),
		"files.max_size":            fmt.Sprint(p.maxFileSize()),
		"files.scan_required":       fmt.Sprint(p.Files.ScanRequired),
		"files.scanner_unavailable": p.scannerUnavailable(),
		"files.auto_download":       map[bool]string{true: AutoDownloadApproved, false: AutoDownloadNever}[p.AutoDownloads()],
		"archive.retention_days":    fmt.Sprint(p.Archive.RetentionDays),
	}
	if f := p.FocusHours; f != nil {
		s["focus_hours"] = "off"
		if f.Enabled {
			s["focus_hours"] = fmt.Sprintf("%s %s-%s", strings.Join(f.days(), ","), f.Start, f.End)
		}
	}
	if len(p.Training.Required) > 0 {
		s["training.required"] = strings.Join(p.Training.Required, ",")
	}
	if p.Security.MinSASL != "" {
		s["security.min_sasl"] = p.Security.MinSASL
	}
	if p.Security.RequireChannelBinding {
		s["security.require_channel_binding"] = "true"
	}
	return s
}

// UnmanagedSettings are the effective settings of a client without a profile.
func UnmanagedSettings() map[string]string {
	var p Profile
	return p.Settings()
}

func (f *FocusHours) days() []string {
	if len(f.Days) == 0 {
		return []string{"mon", "tue", "wed", "thu", "fri"}
	}
	return f.Days
}

// ServerCAs returns the CA certificates the profile adds for server TLS, or
// nil when it lists none.
func (p *Profile) ServerCAs() (*x509.CertPool, error) { return pool(p.TrustedCAs.ServerTLS) }

// IdentityCAs returns the CA certificates the profile trusts for identity
// certificates, or nil when it lists none.
func (p *Profile) IdentityCAs() (*x509.CertPool, error) { return pool(p.TrustedCAs.Identity) }

func pool(pems []string) (*x509.CertPool, error) {
	if len(pems) == 0 {
		return nil, nil
	}
	cp := x509.NewCertPool()
	for i, s := range pems {
		certs, err := parseCAs(s)
		if err != nil {
			return nil, invalid.T("trusted CA {{.N}}: {{.Err}}", l10n.Args{"N": i + 1, "Err": err.Error()})
		}
		for _, c := range certs {
			cp.AddCert(c)
		}
	}
	return cp, nil
}

// parseCAs parses every PEM block of s; each must be a CA certificate.
func parseCAs(s string) ([]*x509.Certificate, error) {
	rest := []byte(s)
	var out []*x509.Certificate
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("PEM block %q is not a CERTIFICATE", b.Type)
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %v", len(out)+1, err)
		}
		if !c.BasicConstraintsValid || !c.IsCA {
			return nil, fmt.Errorf("certificate %q is not a CA certificate", c.Subject.String())
		}
		out = append(out, c)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, errors.New("text outside a PEM block")
	}
	if len(out) == 0 {
		return nil, errors.New("no PEM certificate")
	}
	return out, nil
}

// Error is a refusal: a profile or bulletin that cannot be used, and why.
type Error struct {
	Code string // one of the event.Profile* values
	Msg  string // human-readable, names the reason (English; In gives it in another language)

	text func(l10n.Lang) string // Msg in a language; nil: Msg in every language
}

func (e *Error) Error() string { return e.Msg }

// In is the reason in the language lang (Msg for English, and for a reason
// that has no other language, such as a detail of malformed content).
func (e *Error) In(lang l10n.Lang) string {
	if e == nil {
		return ""
	}
	if e.text == nil {
		return e.Msg
	}
	return e.text(lang)
}

// refusal makes an *Error whose reason text writes in any language.
func refusal(code string, text func(l10n.Lang) string) *Error {
	return &Error{Code: code, Msg: text(l10n.English), text: text}
}

// sentence makes refusals of one code whose reason is written in the
// user's language.
type sentence struct{ code string }

// invalid makes malformed-content refusals.
var invalid = sentence{code: event.ProfileMalformed}

// T is a refusal whose reason is the English sentence en, a template with
// named fields as for l10n.Lang.T (always a string literal, so that the
// catalogue test finds it), written in the language asked for; a field that
// is a *Error is written in that language too.
func (c sentence) T(en string, args ...l10n.Args) *Error {
	return refusal(c.code, func(l l10n.Lang) string {
		if len(args) == 0 {
			return l.T(en)
		}
		a := l10n.Args{}
		for k, v := range args[0] {
			if e, ok := v.(*Error); ok {
				v = e.In(l)
			}
			a[k] = v
		}
		return l.T(en, a)
	})
}

// ReasonIn is err's reason in lang: a *Error's In (or that of another
// error of this package written in any language), or the error's text.
func ReasonIn(lang l10n.Lang, err error) string {
	if e, ok := err.(interface{ In(l10n.Lang) string }); ok {
		return e.In(lang)
	}
	return err.Error()
}

// textError is an error (not a refusal) whose text is written in any
// language; Error is English.
type textError struct {
	say func(l10n.Lang) string
	err error // wrapped, or nil
}

func (e *textError) Error() string         { return e.say(l10n.English) }
func (e *textError) In(l l10n.Lang) string { return e.say(l) }
func (e *textError) Unwrap() error         { return e.err }

func malformed(format string, args ...any) *Error {
	return &Error{Code: event.ProfileMalformed, Msg: fmt.Sprintf(format, args...)}
}

// Parse decodes and validates a profile. Any problem is a *Error with Code
// "malformed" whose message names the field.
func Parse(data []byte) (*Profile, error) {
	var p Profile
	if err := decodeStrict(data, &p, "profile"); err != nil {
		return nil, err
	}
	if err := p.validate(); err != nil {
		return nil, invalid.T("malformed profile: {{.Detail}}", l10n.Args{"Detail": err})
	}
	if p.IT.PubSubService == "" {
		d := p.Organisation.Domains[0]
		if a, err := domainProfile.ToASCII(d); err == nil {
			d = a
		}
		p.IT.PubSubService = "pubsub." + d
	}
	if p.IT.ProfileNode == "" {
		p.IT.ProfileNode = DefaultProfileNode
	}
	if p.IT.BulletinNode == "" {
		p.IT.BulletinNode = DefaultBulletinNode
	}
	p.raw = append([]byte(nil), data...)
	return &p, nil
}

// decodeStrict decodes one JSON object into v, rejecting unknown fields,
// duplicate keys, trailing data and wrong types, with messages naming the
// field.
func decodeStrict(data []byte, v any, what string) *Error {
	var detail *Error
	if len(data) > MaxSize {
		detail = invalid.T("{{.Size}} bytes is larger than the {{.Max}} byte limit", l10n.Args{"Size": len(data), "Max": MaxSize})
	} else if len(bytes.TrimSpace(data)) == 0 {
		detail = invalid.T("the document is empty")
	} else if err := checkDuplicates(data); err != nil {
		detail = refusal(event.ProfileMalformed, func(l l10n.Lang) string { return ReasonIn(l, err) })
	} else {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			detail = refusal(event.ProfileMalformed, func(l l10n.Lang) string { return describeJSONError(l, data, err) })
		} else if _, err := dec.Token(); err != io.EOF {
			detail = invalid.T("data after the end of the JSON object")
		}
	}
	switch {
	case detail == nil:
		return nil
	case what == "bulletin":
		return invalid.T("malformed bulletin: {{.Detail}}", l10n.Args{"Detail": detail})
	}
	return invalid.T("malformed profile: {{.Detail}}", l10n.Args{"Detail": detail})
}

func describeJSONError(l l10n.Lang, data []byte, err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	var pe *time.ParseError
	switch {
	case errors.As(err, &te):
		if te.Field == "" {
			return l.T("the document must be a JSON object, not {{.Value}}", l10n.Args{"Value": te.Value})
		}
		return l.T("field {{.Field}}: expected {{.Type}}, got {{.Value}}", l10n.Args{"Field": te.Field, "Type": jsonType(l, te.Type.String()), "Value": te.Value})
	case errors.As(err, &se):
		return l.T("invalid JSON at byte {{.Offset}}: {{.Err}}", l10n.Args{"Offset": se.Offset, "Err": se.Error()})
	case errors.As(err, &pe):
		// Find which time field is wrong.
		var times struct {
			IssuedAt  json.RawMessage `json:"issued_at"`
			ExpiresAt json.RawMessage `json:"expires_at"`
		}
		_ = json.Unmarshal(data, &times)
		for _, f := range []struct {
			name string
			raw  json.RawMessage
		}{{"issued_at", times.IssuedAt}, {"expires_at", times.ExpiresAt}} {
			var t time.Time
			if len(f.raw) > 0 && t.UnmarshalJSON(f.raw) != nil {
				return l.T("field {{.Field}}: {{.Value}} is not an RFC 3339 date and time (e.g. 2026-01-31T12:00:00Z)", l10n.Args{"Field": f.name, "Value": string(f.raw)})
			}
		}
		return l.T("a date is not in RFC 3339 form: {{.Err}}", l10n.Args{"Err": err.Error()})
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return l.T("the JSON document is truncated")
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if strings.Contains(msg, "go-jose") {
		return l.T("field next_key: {{.Err}}", l10n.Args{"Err": strings.TrimPrefix(msg, "go-jose/go-jose: ")})
	}
	return msg
}

func jsonType(l l10n.Lang, goType string) string {
	switch {
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return l.T("an integer")
	case goType == "string":
		return l.T("a string")
	case goType == "bool":
		return l.T("true or false")
	case strings.HasPrefix(goType, "[]"):
		return l.T("an array")
	case goType == "time.Time":
		return l.T("an RFC 3339 date string")
	}
	return l.T("an object")
}

// checkDuplicates walks the JSON tokens and rejects an object with the same
// key twice, which encoding/json would silently accept (last one wins).
func checkDuplicates(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type frame struct {
		obj    bool
		keys   map[string]bool
		expKey bool
		path   string // where the object or array is
		last   string // the last key read
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return nil // syntax errors are reported by the decoder proper
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		path := func(f *frame) string {
			if f == nil {
				return ""
			}
			if f.obj {
				return join(f.path, f.last)
			}
			return f.path + "[]"
		}
		if k, isKey := tok.(string); isKey && top != nil && top.obj && top.expKey {
			if top.keys[k] {
				field := join(top.path, k)
				return &textError{say: func(l l10n.Lang) string {
					return l.T("field {{.Field}} appears twice", l10n.Args{"Field": field})
				}}
			}
			top.keys[k] = true
			top.last = k
			top.expKey = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{obj: true, keys: map[string]bool{}, expKey: true, path: path(top)})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{path: path(top)})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].obj {
			stack[len(stack)-1].expKey = true
		}
	}
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

var (
	idPattern      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)
	settingPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`)
	typePattern    = regexp.MustCompile(`^\.[a-z0-9]+$`)
	hhmmPattern    = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	onionPattern   = regexp.MustCompile(`^([a-z0-9-]+\.)*[a-z2-7]{56}\.onion:([1-9][0-9]{0,4})$`)
	weekdays       = map[string]bool{"mon": true, "tue": true, "wed": true, "thu": true, "fri": true, "sat": true, "sun": true}
	domainProfile  = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.VerifyDNSLength(true), idna.Transitional(false))
)

// checkDomain validates a domain name with IDNA.
func checkDomain(field, d string) *Error {
	if d == "" {
		return invalid.T("field {{.Field}}: empty domain", l10n.Args{"Field": field})
	}
	if strings.TrimSpace(d) != d || strings.ContainsAny(d, "@/: \t") {
		return invalid.T("field {{.Field}}: {{.Value}} is not a domain name (no spaces, @, / or :)", l10n.Args{"Field": field, "Value": strconv.Quote(d)})
	}
	if strings.HasSuffix(d, ".") {
		return invalid.T("field {{.Field}}: {{.Value}} ends with a dot", l10n.Args{"Field": field, "Value": strconv.Quote(d)})
	}
	if _, err := domainProfile.ToASCII(d); err != nil {
		return invalid.T("field {{.Field}}: {{.Value}} is not a valid domain name: {{.Err}}", l10n.Args{"Field": field, "Value": strconv.Quote(d), "Err": err.Error()})
	}
	return nil
}

func checkText(field, s string, max int) *Error {
	if strings.TrimSpace(s) == "" {
		return invalid.T("field {{.Field}} is required and must not be empty", l10n.Args{"Field": field})
	}
	if len(s) > max {
		return invalid.T("field {{.Field}} is longer than {{.Max}} bytes", l10n.Args{"Field": field, "Max": max})
	}
	return nil
}

func (p *Profile) validate() *Error {
	if p.Format != Format {
		if p.Format == "" {
			return invalid.T("field format is required ({{.Format}})", l10n.Args{"Format": strconv.Quote(Format)})
		}
		return invalid.T("field format is {{.Value}}, expected {{.Format}}", l10n.Args{"Value": strconv.Quote(p.Format), "Format": strconv.Quote(Format)})
	}
	if p.ID == "" {
		return invalid.T("field id is required")
	}
	if !idPattern.MatchString(p.ID) {
		return invalid.T("field id {{.Value}}: use letters, digits, '.', '_', ':' or '-' (at most 128)", l10n.Args{"Value": strconv.Quote(p.ID)})
	}
	if p.Serial <= 0 {
		return invalid.T("field serial is required and must be a positive integer (got {{.Value}})", l10n.Args{"Value": p.Serial})
	}
	if p.IssuedAt.IsZero() {
		return invalid.T("field issued_at is required")
	}
	if p.ExpiresAt.IsZero() {
		return invalid.T("field expires_at is required")
	}
	if !p.ExpiresAt.After(p.IssuedAt) {
		return invalid.T("field expires_at ({{.Expires}}) must be after issued_at ({{.Issued}})",
			l10n.Args{"Expires": p.ExpiresAt.Format(time.RFC3339), "Issued": p.IssuedAt.Format(time.RFC3339)})
	}
	if err := checkText("organisation.name", p.Organisation.Name, 200); err != nil {
		return err
	}
	if len(p.Organisation.Domains) == 0 {
		return invalid.T("field organisation.domains needs at least one domain")
	}
	for i, d := range p.Organisation.Domains {
		if err := checkDomain(fmt.Sprintf("organisation.domains[%d]", i), d); err != nil {
			return err
		}
	}
	for i, x := range p.Partners {
		f := fmt.Sprintf("partners[%d]", i)
		if err := checkText(f+".name", x.Name, 200); err != nil {
			return err
		}
		if len(x.Domains) == 0 {
			return invalid.T("field {{.Field}}.domains needs at least one domain (partner {{.Partner}})", l10n.Args{"Field": f, "Partner": strconv.Quote(x.Name)})
		}
		for j, d := range x.Domains {
			if err := checkDomain(fmt.Sprintf("%s.domains[%d]", f, j), d); err != nil {
				return err
			}
		}
		if x.MaxFileSize < 0 {
			return invalid.T("field {{.Field}}.max_file_size must not be negative (partner {{.Partner}})", l10n.Args{"Field": f, "Partner": strconv.Quote(x.Name)})
		}
	}
	for i, d := range p.BlockedDomains {
		if err := checkDomain(fmt.Sprintf("blocked_domains[%d]", i), d); err != nil {
			return err
		}
	}
	for i, g := range p.Gateways {
		f := fmt.Sprintf("gateways[%d]", i)
		if err := checkDomain(f+".domain", g.Domain); err != nil {
			return err
		}
		if err := checkText(f+".network", g.Network, 100); err != nil {
			return err
		}
	}
	switch p.UnknownDomains {
	case "", string(policy.Warn), string(policy.Confirm), string(policy.Block):
	default:
		return invalid.T("field unknown_domains is {{.Value}}, expected warn, confirm or block", l10n.Args{"Value": strconv.Quote(p.UnknownDomains)})
	}
	if p.Files.MaxSize < 0 {
		return invalid.T("field files.max_size must not be negative")
	}
	for i, t := range p.Files.BlockedTypes {
		if !typePattern.MatchString(t) {
			return invalid.T("field files.blocked_types[{{.I}}]: {{.Value}} is not a lower-case extension with its dot, e.g. \".exe\"", l10n.Args{"I": i, "Value": strconv.Quote(t)})
		}
	}
	switch p.Files.ScannerUnavailable {
	case "", ScannerRefuse, ScannerAllow:
	default:
		return invalid.T("field files.scanner_unavailable is {{.Value}}, expected refuse or allow", l10n.Args{"Value": strconv.Quote(p.Files.ScannerUnavailable)})
	}
	switch p.Files.AutoDownload {
	case "", AutoDownloadApproved, AutoDownloadNever:
	default:
		return invalid.T("field files.auto_download is {{.Value}}, expected approved or never", l10n.Args{"Value": strconv.Quote(p.Files.AutoDownload)})
	}
	switch p.Security.MinSASL {
	case "", MinSASLSHA1, MinSASLSHA256:
	default:
		return invalid.T("field security.min_sasl is {{.Value}}, expected SCRAM-SHA-1 or SCRAM-SHA-256", l10n.Args{"Value": strconv.Quote(p.Security.MinSASL)})
	}
	for i, s := range p.TrustedCAs.ServerTLS {
		if _, err := parseCAs(s); err != nil {
			return malformed("field trusted_cas.server_tls[%d]: %v", i, err)
		}
	}
	for i, s := range p.TrustedCAs.Identity {
		if _, err := parseCAs(s); err != nil {
			return malformed("field trusted_cas.identity[%d]: %v", i, err)
		}
	}
	if err := p.validateIdentity(); err != nil {
		return err
	}
	for i, t := range p.Training.Required {
		if !idPattern.MatchString(t) {
			return invalid.T("field training.required[{{.I}}]: {{.Value}} is not a training id", l10n.Args{"I": i, "Value": strconv.Quote(t)})
		}
	}
	if err := p.validateTraining(); err != nil {
		return err
	}
	switch p.Tor {
	case "", TorOff, TorOptional, TorRequired:
	default:
		return invalid.T("field tor is {{.Value}}, expected off, optional or required", l10n.Args{"Value": strconv.Quote(p.Tor)})
	}
	if p.TorOnion != "" {
		m := onionPattern.FindStringSubmatch(p.TorOnion)
		if m == nil || len(m[2]) == 5 && m[2] > "65535" {
			return invalid.T("field tor_onion: {{.Value}} is not an onion service address host.onion:port (a version 3 address: 56 letters a-z and digits 2-7, then .onion)", l10n.Args{"Value": strconv.Quote(p.TorOnion)})
		}
		if p.Tor == TorOff {
			return invalid.T("field tor_onion: an onion address needs Tor, but field tor is off")
		}
	}
	for i, s := range p.LockedSettings {
		if !settingPattern.MatchString(s) {
			return invalid.T("field locked_settings[{{.I}}]: {{.Value}} is not a setting name (e.g. \"tor\", \"archive.retention_days\")", l10n.Args{"I": i, "Value": strconv.Quote(s)})
		}
	}
	if f := p.FocusHours; f != nil {
		for i, d := range f.Days {
			if !weekdays[d] {
				return invalid.T("field focus_hours.days[{{.I}}]: {{.Value}} is not one of mon, tue, wed, thu, fri, sat, sun", l10n.Args{"I": i, "Value": strconv.Quote(d)})
			}
		}
		if f.Start != "" && !hhmmPattern.MatchString(f.Start) {
			return invalid.T("field focus_hours.start: {{.Value}} is not a time HH:MM", l10n.Args{"Value": strconv.Quote(f.Start)})
		}
		if f.End != "" && !hhmmPattern.MatchString(f.End) {
			return invalid.T("field focus_hours.end: {{.Value}} is not a time HH:MM", l10n.Args{"Value": strconv.Quote(f.End)})
		}
		if f.Enabled && (f.Start == "" || f.End == "") {
			return invalid.T("field focus_hours: start and end are required when enabled")
		}
		if f.Timezone != "" {
			if _, err := time.LoadLocation(f.Timezone); err != nil || f.Timezone == "Local" {
				return invalid.T("field focus_hours.timezone: {{.Value}} is not an IANA time zone name", l10n.Args{"Value": strconv.Quote(f.Timezone)})
			}
		}
	}
	if p.Archive.RetentionDays < 0 {
		return invalid.T("field archive.retention_days must not be negative")
	}
	if p.IT.JID != "" && (strings.Count(p.IT.JID, "@") > 1 || strings.ContainsAny(p.IT.JID, " \t/")) {
		return invalid.T("field it.jid: {{.Value}} is not a bare JID", l10n.Args{"Value": strconv.Quote(p.IT.JID)})
	}
	if p.IT.JID != "" {
		d := p.IT.JID
		if i := strings.LastIndexByte(d, '@'); i >= 0 {
			if i == 0 {
				return invalid.T("field it.jid: {{.Value}} has an empty local part", l10n.Args{"Value": strconv.Quote(p.IT.JID)})
			}
			d = d[i+1:]
		}
		if err := checkDomain("it.jid", d); err != nil {
			return err
		}
	}
	if p.IT.PubSubService != "" {
		if err := checkDomain("it.pubsub_service", p.IT.PubSubService); err != nil {
			return err
		}
	}
	for _, n := range []struct{ f, v string }{{"it.profile_node", p.IT.ProfileNode}, {"it.bulletin_node", p.IT.BulletinNode}} {
		if n.v != "" && (strings.TrimSpace(n.v) != n.v || len(n.v) > 256) {
			return invalid.T("field {{.Field}}: {{.Value}} is not a node name", l10n.Args{"Field": n.f, "Value": strconv.Quote(n.v)})
		}
	}
	if k := p.NextKey; k != nil {
		if err := checkPublicKey(k); err != nil {
			return malformed("field next_key: %v", err)
		}
	}
	// The policy engine has the last word on the domain rules (duplicates,
	// a domain both internal and blocked, ...).
	if _, err := policy.New(p.Rules()); err != nil {
		return malformed("%s", strings.TrimPrefix(err.Error(), "policy: "))
	}
	return nil
}

// checkPublicKey accepts only an Ed25519 public JWK.
func checkPublicKey(k *jose.JSONWebKey) error {
	if k.Key == nil {
		return errors.New("no key")
	}
	if _, ok := k.Key.(ed25519.PublicKey); !ok {
		if _, priv := k.Key.(ed25519.PrivateKey); priv {
			return errors.New("is a private key: publish only the public key (the .jwk file, never .private.jwk)")
		}
		return fmt.Errorf("is a %T, expected an Ed25519 (OKP) public key", k.Key)
	}
	if k.Algorithm != "" && k.Algorithm != string(jose.EdDSA) {
		return fmt.Errorf("alg is %q, expected EdDSA", k.Algorithm)
	}
	if k.KeyID != "" && k.KeyID != KeyID(k) {
		return fmt.Errorf("kid %q does not match the key (expected %q)", k.KeyID, KeyID(k))
	}
	return nil
}

// Bulletin is a parsed security bulletin.
type Bulletin struct {
	Format    string    `json:"format"`
	ID        string    `json:"id"`
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	Severity  string    `json:"severity"` // info, warning, critical
	Title     string    `json:"title"`
	Body      string    `json:"body"`
}

// ParseBulletin decodes and validates a bulletin; errors are *Error with
// Code "malformed".
func ParseBulletin(data []byte) (*Bulletin, error) {
	var b Bulletin
	if err := decodeStrict(data, &b, "bulletin"); err != nil {
		return nil, err
	}
	bad := func(detail *Error) error {
		return invalid.T("malformed bulletin: {{.Detail}}", l10n.Args{"Detail": detail})
	}
	switch {
	case b.Format != BulletinFormat:
		return nil, bad(invalid.T("field format is {{.Value}}, expected {{.Format}}", l10n.Args{"Value": strconv.Quote(b.Format), "Format": strconv.Quote(BulletinFormat)}))
	case b.ID == "":
		return nil, bad(invalid.T("field id is required"))
	case !idPattern.MatchString(b.ID):
		return nil, bad(invalid.T("field id {{.Value}}: use letters, digits, '.', '_', ':' or '-' (at most 128)", l10n.Args{"Value": strconv.Quote(b.ID)}))
	case b.IssuedAt.IsZero():
		return nil, bad(invalid.T("field issued_at is required"))
	case !b.ExpiresAt.IsZero() && !b.ExpiresAt.After(b.IssuedAt):
		return nil, bad(invalid.T("field expires_at must be after issued_at"))
	}
	switch b.Severity {
	case "info", "warning", "critical":
	default:
		return nil, bad(invalid.T("field severity is {{.Value}}, expected info, warning or critical", l10n.Args{"Value": strconv.Quote(b.Severity)}))
	}
	if err := checkText("title", b.Title, 200); err != nil {
		return nil, bad(err)
	}
	if err := checkText("body", b.Body, 10000); err != nil {
		return nil, bad(err)
	}
	return &b, nil
}

// Event converts the bulletin to its event form.
func (b *Bulletin) Event() event.Bulletin {
	return event.Bulletin{
		ID: b.ID, Severity: b.Severity, Title: b.Title, Body: b.Body,
		IssuedAt: b.IssuedAt, ExpiresAt: b.ExpiresAt,
	}
}

// Kind reports whether data looks like a profile ("profile"), a bulletin
// ("bulletin") or neither (""), by its format field only.
func Kind(data []byte) string {
	var f struct {
		Format string `json:"format"`
	}
	if json.Unmarshal(data, &f) != nil {
		return ""
	}
	switch f.Format {
	case Format:
		return "profile"
	case BulletinFormat:
		return "bulletin"
	}
	return ""
}
