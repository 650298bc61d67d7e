package session

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/palisade-im/palisade/assets/lessons"
	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/identity"
	"github.com/palisade-im/palisade/internal/atomicfile"
	"github.com/palisade-im/palisade/l10n"
	"github.com/palisade-im/palisade/training"
)

// Security training. Package training decides (grading, gates); this file
// keeps the user's progress in DataDir/training.json, enforces the gates on
// the commands that would reach outsiders, shows each just-in-time prompt
// once, and sends signed completion reports to IT.

const (
	trainingStateFile = "training.json"
	nsTraining        = "urn:palisade:training:1"
)

// trainingFileData is the persisted training state. It holds no secret.
type trainingFileData struct {
	Completions training.Progress       `json:"completions,omitempty"`
	Prompts     map[string]promptRecord `json:"prompts,omitempty"` // by kind
	WelcomeSeen time.Time               `json:"welcome_seen,omitzero"`
	Reports     []queuedReport          `json:"reports,omitempty"` // completions not yet sent to IT
}

// promptRecord says when a just-in-time prompt was shown and seen.
type promptRecord struct {
	Shown        time.Time `json:"shown"`
	JID          string    `json:"jid,omitempty"`
	Seen         time.Time `json:"seen,omitzero"`
	OpenedLesson bool      `json:"opened_lesson,omitempty"`
}

// queuedReport is a completion waiting to be signed and sent to IT.
type queuedReport struct {
	Module  string    `json:"module"`
	Version int       `json:"version"`
	Score   int       `json:"score"`
	Total   int       `json:"total"`
	At      time.Time `json:"at"`
}

// trainingDevice is what signs reports: the device key and its certificate
// chain (DER, leaf first). A nil key or an empty chain: reports wait.
type trainingDevice struct {
	Key   ed25519.PrivateKey
	Chain [][]byte
}

// trainingState is the session's share of the training. mu guards
// everything; it is never held while emitting.
type trainingState struct {
	mu       sync.Mutex
	lang     string
	cat      *training.Catalogue
	req      training.Requirement
	reportTo string
	catErr   string // the last catalogue problem reported
	key      string // what the catalogue and requirement were built from
	prompts  map[string]training.Prompt
	data     trainingFileData
	path     string // "" keeps the state in memory only

	// device returns the device key and certificate chain for reports.
	device func() (trainingDevice, string)
	// sending serialises sendReports, so that a report goes once when a
	// sign-in and a passed quiz come together.
	sending sync.Mutex
}

// trainingLang is the content language for a Config.Lang value: the first
// two letters of a locale ("fr_FR.UTF-8" -> "fr"), "en" when empty.
func trainingLang(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if len(v) >= 2 && v[0] >= 'a' && v[0] <= 'z' && v[1] >= 'a' && v[1] <= 'z' && (len(v) == 2 || !(v[2] >= 'a' && v[2] <= 'z')) {
		return v[:2]
	}
	return "en"
}

// initTraining loads the state file and the catalogue. Problems are
// reported as events; the session starts anyway.
func (s *Session) initTraining() {
	t := &s.train
	t.lang = trainingLang(s.cfg.Lang)
	t.data = trainingFileData{Completions: training.Progress{}, Prompts: map[string]promptRecord{}}
	if p, err := lessons.Prompts(t.lang); err == nil {
		t.prompts = p
	}
	t.device = s.deviceForReports
	if s.cfg.DataDir != "" {
		t.path = filepath.Join(s.cfg.DataDir, trainingStateFile)
		if err := t.load(s.lang); err != nil {
			s.emit(event.Error{Message: err.Error(), Code: event.CodeConfig})
		}
	}
	s.trainingReload()
}

// trainingReload takes the requirement, the extra modules and the IT
// address from the profile in force. It reports whether they changed.
func (s *Session) trainingReload() bool {
	var req training.Requirement
	var extra []training.File
	reportTo := ""
	if s.cfg.Profiles != nil {
		if p := s.cfg.Profiles.Active(); p != nil {
			req, extra, reportTo = p.TrainingRequirement(), p.TrainingModules(), p.TrainingReportTo()
		}
	}
	key, _ := json.Marshal([]any{req, extra, reportTo})
	t := &s.train
	t.mu.Lock()
	if t.cat != nil && string(key) == t.key {
		t.mu.Unlock()
		return false
	}
	t.mu.Unlock()
	cat, err := lessons.Catalogue(extra)
	t.mu.Lock()
	t.cat, t.req, t.reportTo, t.key = cat, req, reportTo, string(key)
	report := err != nil && err.Error() != t.catErr
	if err != nil {
		t.catErr = err.Error()
	}
	t.mu.Unlock()
	if report {
		s.emit(event.Error{Message: s.lang.T("Some training modules could not be read and are left out: {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
	}
	return true
}

// trainingStart reports the training state when the session starts.
func (s *Session) trainingStart() { s.emit(s.trainingEvent()) }

// trainingObserve follows the events the session emits: a new profile
// changes the requirements, a sign-in sends waiting reports, a link from
// outside and an identity change show their prompts.
func (s *Session) trainingObserve(e event.Event) {
	switch e := e.(type) {
	case event.Profile:
		// A new profile that changes what it requires (the session
		// reports the training at start too: trainingStart).
		if s.trainingReload() {
			s.emit(s.trainingEvent())
		}
	case event.Connected:
		go s.sendReports(false)
	case event.Enrolment:
		if e.State == event.EnrolEnrolled {
			go s.sendReports(false)
		}
	case event.Message:
		if !e.Outgoing && !e.Archived && e.Trust.Class != "" && e.Trust.External() && hasLink(e.Body) {
			s.trainingPrompt(training.PromptExternalLink, peerOf(e.From))
		}
	case event.IdentityChanged:
		s.trainingPrompt(training.PromptIdentityChange, e.JID)
	}
}

var linkPattern = regexp.MustCompile(`(?i)\b(https?://|www\.)\S`)

func hasLink(body string) bool { return linkPattern.MatchString(body) }

// trainingEvent describes the training state for the consumer.
func (s *Session) trainingEvent() event.Training {
	t := &s.train
	t.mu.Lock()
	defer t.mu.Unlock()
	ev := event.Training{Lang: t.lang, Modules: []event.TrainingModule{}, Gates: map[string]event.Gate{}}
	if t.data.WelcomeSeen.IsZero() {
		ev.Welcome = lessons.Welcome(t.lang)
	} else {
		ev.WelcomeSeen = true
	}
	if t.cat == nil {
		return ev
	}
	required := map[string]bool{}
	var ids []string
	for _, id := range t.req.Required {
		if _, ok := t.cat.Module(id, t.lang); ok && !required[id] {
			required[id] = true
			ids = append(ids, id)
		}
	}
	for _, id := range t.cat.IDs() {
		if !required[id] {
			ids = append(ids, id)
		}
	}
	for _, id := range ids {
		m, _ := t.cat.Module(id, t.lang)
		tm := event.TrainingModule{ID: id, Title: m.Title, Lang: m.Lang, Minutes: m.Minutes, Version: m.Version, Required: required[id]}
		if t.cat.Done(t.data.Completions, id) {
			c := t.data.Completions[id]
			tm.Done, tm.Score, tm.Total, tm.CompletedAt = true, c.Score, c.Total, c.At
		}
		if t.req.Gates != nil {
			for _, f := range training.Features {
				for _, g := range t.req.Gates[f] {
					if g == id {
						tm.Gates = append(tm.Gates, f)
					}
				}
			}
		} else {
			tm.Gates = append([]string(nil), m.Gates...)
		}
		ev.Modules = append(ev.Modules, tm)
	}
	ev.Outstanding = t.cat.Outstanding(t.req, t.data.Completions)
	for _, f := range training.Features {
		d := t.cat.Gate(t.req, t.data.Completions, f, t.lang)
		ev.Gates[f] = event.Gate{Allowed: d.Allowed, Missing: d.Missing, Reason: d.Reason}
	}
	return ev
}

// gate is the training's decision on a feature now.
func (s *Session) gate(feature string) training.Decision {
	t := &s.train
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cat == nil {
		return training.Decision{Allowed: true}
	}
	return t.cat.Gate(t.req, t.data.Completions, feature, t.lang)
}

// roomOutsiders reports whether a room the user is in has a participant
// outside the organisation (or one whose address the room hides). ok is
// false when addr is not such a room.
func (s *Session) roomOutsiders(addr string) (outsiders, ok bool) {
	s.muc.mu.Lock()
	r := s.muc.get(addr)
	if r == nil || !r.joined {
		s.muc.mu.Unlock()
		return false, false
	}
	var jids []string
	hidden := false
	for _, o := range r.occ {
		if o.JID == "" {
			hidden = true
		} else {
			jids = append(jids, o.JID)
		}
	}
	s.muc.mu.Unlock()
	if hidden {
		return true, true
	}
	for _, j := range jids {
		if peerOf(j) != s.bare.String() && s.trustOf(j).Class != event.ClassInternal {
			return true, true
		}
	}
	return false, true
}

// occupantJID is the real bare JID of an occupant ("" when hidden or not
// there).
func (s *Session) occupantJID(room, nick string) string {
	s.muc.mu.Lock()
	defer s.muc.mu.Unlock()
	r := s.muc.get(room)
	if r == nil || r.occ[nick] == nil {
		return ""
	}
	return r.occ[nick].JID
}

// trainingRefused is the training's enforcement point, run before a
// command: a command that would reach outsiders (or send a file) while the
// training the profile requires for it is not done is refused with the
// reason, and nothing leaves. It also shows the just-in-time prompts of a
// first chat with an unknown domain and a first file to a partner. Pointer
// commands are checked when execute dereferences them.
func (s *Session) trainingRefused(cmd event.Command) bool {
	var (
		id, to   string
		features []string
		peer     string // bare JID of a direct peer, for its trust and prompts
		isFile   bool
	)
	// external is the feature needed when the recipient is an outsider.
	external := func(addr, feature string) {
		b := peerOf(addr)
		if b == "" || b == s.bare.String() {
			return
		}
		if out, room := s.roomOutsiders(b); room {
			if out {
				features = append(features, feature)
			}
			return
		}
		switch s.trustOf(b).Class {
		case event.ClassInternal, event.ClassBlocked: // blocked: the policy refuses it
		default:
			features = append(features, feature)
			peer = b
		}
	}
	switch c := cmd.(type) {
	case event.Send:
		if _, ok := fullOrBare(c.To); !ok || c.Body == "" {
			return false
		}
		id, to = c.ID, c.To
		external(c.To, training.FeatureExternalChat)
	case event.SendRoomMessage:
		to = c.Room
		if b, ok := roomJID(c.Room); ok {
			if out, room := s.roomOutsiders(b); room && out {
				features = append(features, training.FeatureExternalChat)
			}
		}
	case event.PrivateMessage:
		to = c.Room + "/" + c.Nick
		if b, ok := roomJID(c.Room); ok && s.isRoom(b) {
			real := s.occupantJID(b, c.Nick)
			if real == "" || s.trustOf(real).Class != event.ClassInternal {
				features = append(features, training.FeatureExternalChat)
			}
		}
	case event.Invite:
		to = c.JID
		external(c.JID, training.FeatureExternalChat)
		if len(features) == 0 {
			if b, ok := roomJID(c.Room); ok {
				if out, room := s.roomOutsiders(b); room && out {
					features = append(features, training.FeatureExternalChat)
				}
			}
		}
	case event.SendFile:
		if _, ok := fullOrBare(c.To); !ok {
			return false
		}
		id, to, isFile = c.ID, c.To, true
		features = append(features, training.FeatureFiles)
		external(c.To, training.FeatureExternalFiles)
	default:
		return false
	}
	for _, f := range features {
		d := s.gate(f)
		if d.Allowed {
			continue
		}
		r := event.Refused{Command: cmd.CommandName(), ID: id, To: to, Code: event.RefusedTraining, Reason: d.Reason}
		if peer != "" {
			tr := s.trustOf(peer)
			r.Trust = &tr
		}
		s.emit(r)
		return true
	}
	if peer != "" {
		switch cl := s.trustOf(peer).Class; {
		case !isFile && (cl == event.ClassUnknown || cl == event.ClassLookalike):
			s.trainingPrompt(training.PromptUnknownChat, peer)
		case isFile && cl == event.ClassPartner:
			s.trainingPrompt(training.PromptPartnerFile, peer)
		}
	}
	return false
}

// trainingPrompt shows a just-in-time prompt the first time its kind
// happens (ever, across restarts), and records it.
func (s *Session) trainingPrompt(kind, jid string) {
	t := &s.train
	t.mu.Lock()
	if _, shown := t.data.Prompts[kind]; shown {
		t.mu.Unlock()
		return
	}
	p, ok := t.prompts[kind]
	if !ok {
		t.mu.Unlock()
		return
	}
	t.data.Prompts[kind] = promptRecord{Shown: time.Now().UTC(), JID: jid}
	err := t.save()
	t.mu.Unlock()
	s.saveFailed(err)
	s.audit("training_prompt_shown", map[string]any{"kind": kind, "jid": jid, "module": p.Module})
	s.emit(event.TrainingPrompt{Kind: kind, JID: jid, Title: p.Title, Body: p.Body, Module: p.Module})
}

func (s *Session) saveFailed(err error) {
	if err != nil {
		s.emit(event.Error{Message: s.lang.T("The training progress could not be saved ({{.Err}}); it holds until the client is closed.", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
	}
}

// executeTraining runs the training commands. It reports false for a
// command it does not know.
func (s *Session) executeTraining(cmd event.Command) bool {
	switch c := cmd.(type) {
	case *event.GetTraining:
		s.emit(s.trainingEvent())
	case event.GetTraining:
		s.emit(s.trainingEvent())
	case *event.GetLesson:
		s.getLesson(*c)
	case event.GetLesson:
		s.getLesson(c)
	case *event.SubmitQuiz:
		s.submitQuiz(*c)
	case event.SubmitQuiz:
		s.submitQuiz(c)
	case *event.PromptSeen:
		s.promptSeen(*c)
	case event.PromptSeen:
		s.promptSeen(c)
	case *event.WelcomeSeen, event.WelcomeSeen:
		t := &s.train
		t.mu.Lock()
		first := t.data.WelcomeSeen.IsZero()
		var err error
		if first {
			t.data.WelcomeSeen = time.Now().UTC()
			err = t.save()
		}
		t.mu.Unlock()
		s.saveFailed(err)
		if first {
			s.audit("training_welcome_seen", map[string]any{})
		}
		s.emit(s.trainingEvent())
	default:
		return false
	}
	return true
}

// module returns a module in lang ("" = the training language).
func (s *Session) module(id, lang string) (*training.Module, bool) {
	t := &s.train
	t.mu.Lock()
	defer t.mu.Unlock()
	if lang == "" {
		lang = t.lang
	}
	if t.cat == nil {
		return nil, false
	}
	return t.cat.Module(id, lang)
}

func (s *Session) getLesson(c event.GetLesson) {
	m, ok := s.module(c.Module, c.Lang)
	if !ok {
		s.badCommand(c, s.lang.T("There is no training module {{.Module}}.", l10n.Args{"Module": c.Module}))
		return
	}
	ev := event.Lesson{ID: m.ID, Lang: m.Lang, Title: m.Title, Minutes: m.Minutes, Version: m.Version, Text: m.Lesson, Pass: m.Pass,
		Questions: make([]event.QuizQuestion, 0, len(m.Questions))}
	for _, q := range m.Questions {
		qq := event.QuizQuestion{Text: q.Text, Choices: make([]string, 0, len(q.Choices))}
		for _, ch := range q.Choices {
			qq.Choices = append(qq.Choices, ch.Text)
		}
		ev.Questions = append(ev.Questions, qq)
	}
	s.emit(ev)
}

// submitQuiz grades a quiz. A pass records the completion (lifting the
// gates it held at once), and queues a signed report to IT.
func (s *Session) submitQuiz(c event.SubmitQuiz) {
	m, ok := s.module(c.Module, "")
	if !ok {
		s.badCommand(c, s.lang.T("There is no training module {{.Module}}.", l10n.Args{"Module": c.Module}))
		return
	}
	if c.Version != 0 && c.Version != m.Version {
		s.badCommand(c, s.lang.T("The module {{.Title}} changed since it was opened (version {{.Was}}, now {{.Now}}): open it again.",
			l10n.Args{"Title": strconv.Quote(m.Title), "Was": c.Version, "Now": m.Version}))
		return
	}
	res, err := m.Grade(c.Answers)
	if err != nil {
		s.badCommand(c, s.lang.T("The answers do not fit the quiz: {{.Err}}.", l10n.Args{"Err": err.Error()}))
		return
	}
	ev := event.QuizResult{Module: m.ID, Version: m.Version, Score: res.Score, Total: res.Total, Pass: m.Pass, Passed: res.Passed,
		Answers: make([]event.QuizAnswer, 0, len(res.Answers))}
	for _, a := range res.Answers {
		ev.Answers = append(ev.Answers, event.QuizAnswer{Choice: a.Choice, Correct: a.Correct, Right: a.Right, Explain: a.Explain})
	}
	s.audit("training_quiz", map[string]any{"module": m.ID, "version": m.Version, "score": res.Score, "total": res.Total, "passed": res.Passed})
	s.emit(ev)
	if !res.Passed {
		return
	}
	now := time.Now().UTC()
	t := &s.train
	t.mu.Lock()
	t.data.Completions[m.ID] = training.Completion{Version: m.Version, Score: res.Score, Total: res.Total, At: now}
	t.data.Reports = append(t.data.Reports, queuedReport{Module: m.ID, Version: m.Version, Score: res.Score, Total: res.Total, At: now})
	err = t.save()
	t.mu.Unlock()
	s.saveFailed(err)
	s.audit("training_completed", map[string]any{"module": m.ID, "version": m.Version, "score": res.Score, "total": res.Total})
	s.emit(s.trainingEvent())
	s.sendReports(true)
}

func (s *Session) promptSeen(c event.PromptSeen) {
	t := &s.train
	t.mu.Lock()
	rec, shown := t.data.Prompts[c.Kind]
	var err error
	if shown {
		rec.Seen, rec.OpenedLesson = time.Now().UTC(), rec.OpenedLesson || c.OpenedLesson
		t.data.Prompts[c.Kind] = rec
		err = t.save()
	}
	t.mu.Unlock()
	if !shown {
		s.badCommand(c, s.lang.T("The prompt {{.Kind}} was not shown.", l10n.Args{"Kind": c.Kind}))
		return
	}
	s.saveFailed(err)
	s.audit("training_prompt_seen", map[string]any{"kind": c.Kind, "opened_lesson": c.OpenedLesson})
}

// Reports.

// reportXML is the completion report element sent to IT inside a normal
// message: the signed report document, its signature and the device
// certificate chain (leaf first), each base64.
type reportXML struct {
	Data  string   `xml:"data"`
	Sig   string   `xml:"sig"`
	Certs []string `xml:"cert"`
}

// reportMessage is the message carrying a signed report.
func reportMessage(id, to, from string, r training.Report, data, sig []byte, chain [][]byte) *el {
	rep := elem(nsTraining, "report").add(
		child("data", base64.StdEncoding.EncodeToString(data)),
		child("sig", base64.StdEncoding.EncodeToString(sig)))
	for _, c := range chain {
		rep.add(child("cert", base64.StdEncoding.EncodeToString(c)))
	}
	body := fmt.Sprintf("Training report: %s completed %s (version %d, %d/%d).", from, r.Module, r.Version, r.Score, r.Total)
	return elem(nsClient, "message", "type", "normal", "to", to, "id", id).add(rep, child("body", body))
}

// sendReports signs and sends the waiting completion reports to IT.
// announce: say why they wait when they cannot go now (after a quiz).
func (s *Session) sendReports(announce bool) {
	t := &s.train
	t.sending.Lock()
	defer t.sending.Unlock()
	t.mu.Lock()
	queued := append([]queuedReport(nil), t.data.Reports...)
	to := t.reportTo
	device := t.device
	t.mu.Unlock()
	if len(queued) == 0 {
		return
	}
	wait := func(reason string) {
		if announce {
			last := queued[len(queued)-1]
			s.emit(event.TrainingReport{Module: last.Module, To: to, Reason: reason})
		}
	}
	if to == "" {
		wait(s.lang.T("The profile names no IT address (training.report_to or it.jid): the report is kept until it does."))
		return
	}
	dev, why := device()
	if len(dev.Key) != ed25519.PrivateKeySize || len(dev.Chain) == 0 {
		if why == "" {
			why = s.lang.T("This device has no certificate yet: the report is kept and sent once the device is enrolled.")
		}
		wait(why)
		return
	}
	var sent []queuedReport
	s.mu.Lock()
	cur := s.cur
	if cur != nil {
		for _, q := range queued {
			r := training.Report{JID: s.bare.String(), DeviceID: deviceIDOf(dev.Key), Module: q.Module, Version: q.Version,
				Score: q.Score, Total: q.Total, CompletedAt: q.At}
			data, sig, err := training.SignReport(dev.Key, r)
			if err != nil {
				continue
			}
			if err := s.write(cur, &outStanza{el: reportMessage(randomID(), to, s.bare.String(), r, data, sig, dev.Chain)}); err != nil {
				break
			}
			sent = append(sent, q)
		}
		if len(sent) > 0 {
			s.requestAck(cur)
		}
	}
	s.mu.Unlock()
	if cur == nil {
		wait(s.lang.T("Not connected: the report is kept and sent when the connection is back."))
		return
	}
	t.mu.Lock()
	kept := t.data.Reports[:0]
	for _, q := range t.data.Reports {
		if !containsReport(sent, q) {
			kept = append(kept, q)
		}
	}
	t.data.Reports = kept
	err := t.save()
	t.mu.Unlock()
	s.saveFailed(err)
	for _, q := range sent {
		s.audit("training_report_sent", map[string]any{"module": q.Module, "version": q.Version, "score": q.Score, "to": to})
		s.emit(event.TrainingReport{Module: q.Module, To: to, Sent: true})
	}
}

func containsReport(l []queuedReport, q queuedReport) bool {
	for _, x := range l {
		if x == q {
			return true
		}
	}
	return false
}

// deviceIDOf is the device id of a key (identity.DeviceID).
func deviceIDOf(k ed25519.PrivateKey) string {
	return identity.DeviceID(k.Public().(ed25519.PublicKey))
}

// deviceForReports is the device key (Config.DeviceKey) and this
// device's certificate chain once enrolment holds a valid one (enrol.go):
// only a chain whose leaf certifies this very key is used. Until then
// there is none, and reports wait in the state file.
func (s *Session) deviceForReports() (trainingDevice, string) {
	k := s.cfg.DeviceKey
	if len(k) != ed25519.PrivateKeySize {
		if s.cfg.DeviceOff != nil && s.cfg.DeviceOff.Message != "" {
			return trainingDevice{}, s.lang.T("This device has no identity key ({{.Why}}): the report is kept until it has one.", l10n.Args{"Why": strings.TrimSuffix(s.cfg.DeviceOff.Message, ".")})
		}
		return trainingDevice{}, ""
	}
	s.enr.mu.Lock()
	var chainPEM, state string
	if d := s.enr.dev; d != nil {
		chainPEM, state = d.Chain, d.State
	}
	s.enr.mu.Unlock()
	if chainPEM == "" || state != event.EnrolEnrolled {
		return trainingDevice{}, ""
	}
	chain, err := identity.ChainDER([]byte(chainPEM))
	if err != nil || len(chain) == 0 {
		return trainingDevice{}, ""
	}
	leaf, err := x509.ParseCertificate(chain[0])
	if err != nil {
		return trainingDevice{}, ""
	}
	if pub, ok := leaf.PublicKey.(ed25519.PublicKey); !ok || !pub.Equal(k.Public()) {
		return trainingDevice{}, s.lang.T("This device's certificate is for another key: the report is kept until the device is enrolled again.")
	}
	return trainingDevice{Key: k, Chain: chain}, ""
}

// load reads the persisted state. A damaged file is set aside and the
// state starts empty; an unreadable one is left alone and nothing is saved
// over it. The error is written for the user, in l.
func (t *trainingState) load(l l10n.Lang) error {
	data, err := os.ReadFile(t.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		path := t.path
		t.path = ""
		return errors.New(l.T("The training progress ({{.Path}}) cannot be read: {{.Err}}. Progress starts empty and is not saved until the file is readable.", l10n.Args{"Path": path, "Err": err.Error()}))
	}
	var d trainingFileData
	if err := json.Unmarshal(data, &d); err != nil {
		aside := fmt.Sprintf("%s.damaged-%s", t.path, time.Now().UTC().Format("20060102T150405Z"))
		if rerr := os.Rename(t.path, aside); rerr != nil {
			path := t.path
			t.path = ""
			return errors.New(l.T("The training progress ({{.Path}}) is damaged ({{.Err}}) and could not be set aside ({{.RenameErr}}). Progress starts empty and is not saved.",
				l10n.Args{"Path": path, "Err": err.Error(), "RenameErr": rerr.Error()}))
		}
		return errors.New(l.T("The training progress was damaged ({{.Err}}). It was set aside as {{.Aside}}; progress starts empty.", l10n.Args{"Err": err.Error(), "Aside": aside}))
	}
	if d.Completions == nil {
		d.Completions = training.Progress{}
	}
	if d.Prompts == nil {
		d.Prompts = map[string]promptRecord{}
	}
	t.data = d
	return nil
}

// save writes the state atomically, mode 0600. t.mu is held.
func (t *trainingState) save() error {
	if t.path == "" {
		return nil
	}
	data, err := json.MarshalIndent(t.data, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(t.path, data)
}
