package training

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ReportFormat names the completion report format.
const ReportFormat = "palisade-training-report/1"

// Report says that a user completed a module on a device. It is signed with
// the device key; IT checks the signature against the device certificate
// that travels with it and that the certificate names JID.
type Report struct {
	Format      string    `json:"format"`
	JID         string    `json:"jid"`
	DeviceID    string    `json:"device_id"`
	Module      string    `json:"module"`
	Version     int       `json:"version"`
	Score       int       `json:"score"`
	Total       int       `json:"total"`
	CompletedAt time.Time `json:"completed_at"`
}

// MaxReportSize bounds a report document.
const MaxReportSize = 4 << 10

// EncodeReport is the exact bytes that are signed and sent.
func EncodeReport(r Report) ([]byte, error) {
	r.Format = ReportFormat
	r.CompletedAt = r.CompletedAt.UTC()
	if err := r.check(); err != nil {
		return nil, err
	}
	return json.Marshal(r)
}

// SignReport encodes r and signs it with the device key.
func SignReport(k ed25519.PrivateKey, r Report) (data, sig []byte, err error) {
	if len(k) != ed25519.PrivateKeySize {
		return nil, nil, errors.New("training report: no device key")
	}
	data, err = EncodeReport(r)
	if err != nil {
		return nil, nil, err
	}
	return data, ed25519.Sign(k, data), nil
}

// ErrBadSignature: the report was not signed by the given device key.
var ErrBadSignature = errors.New("training report: the signature does not match the device key")

// VerifyReport checks the signature over data with the device's public key,
// then decodes and checks the report.
func VerifyReport(pub ed25519.PublicKey, data, sig []byte) (Report, error) {
	if len(data) > MaxReportSize {
		return Report{}, fmt.Errorf("training report: %d bytes is larger than the %d byte limit", len(data), MaxReportSize)
	}
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, data, sig) {
		return Report{}, ErrBadSignature
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return Report{}, fmt.Errorf("training report: %v", err)
	}
	if r.Format != ReportFormat {
		return Report{}, fmt.Errorf("training report: format %q, want %q", r.Format, ReportFormat)
	}
	if err := r.check(); err != nil {
		return Report{}, err
	}
	return r, nil
}

func (r Report) check() error {
	switch {
	case r.JID == "":
		return errors.New("training report: no jid")
	case r.DeviceID == "":
		return errors.New("training report: no device_id")
	case !idPattern.MatchString(r.Module):
		return fmt.Errorf("training report: module %q is not a module id", r.Module)
	case r.Version < 1:
		return errors.New("training report: no version")
	case r.Total < 1 || r.Score < 0 || r.Score > r.Total:
		return fmt.Errorf("training report: score %d of %d", r.Score, r.Total)
	case r.CompletedAt.IsZero():
		return errors.New("training report: no completed_at")
	}
	return nil
}
