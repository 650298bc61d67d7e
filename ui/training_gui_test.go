package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/palisade-im/palisade/event"
)

func trainingEvent(done bool) event.Training {
	m := event.TrainingModule{ID: "phishing", Title: "Phishing and spam over IM", Lang: "en", Minutes: 2, Version: 1, Required: true, Gates: []string{"external-chat"}}
	tr := event.Training{Lang: "en", Welcome: "# Welcome to Palisade\n\nPalisade is your organisation's instant messaging: a **work tool**.",
		Modules: []event.TrainingModule{m, {ID: "manners", Title: "Presence, focus hours and good manners", Lang: "en", Minutes: 1, Version: 1}},
		Gates: map[string]event.Gate{"external-chat": {Missing: []string{"phishing"}, Reason: "Complete 'Phishing and spam over IM' to write to people outside your organisation."},
			"files": {Allowed: true}, "external-files": {Allowed: true}},
		Outstanding: []string{"phishing"}}
	if done {
		tr.Modules[0].Done, tr.Modules[0].Score, tr.Modules[0].Total, tr.Modules[0].CompletedAt = true, 2, 2, time.Now()
		tr.Outstanding, tr.Welcome, tr.WelcomeSeen = nil, "", true
		tr.Gates["external-chat"] = event.Gate{Allowed: true}
	}
	return tr
}

var phishingLesson = event.Lesson{ID: "phishing", Lang: "en", Title: "Phishing and spam over IM", Minutes: 2, Version: 1, Pass: 2,
	Text: "Attackers use chat because it feels **personal**.\n\n- Links\n- Urgency\n- Fake colleagues",
	Questions: []event.QuizQuestion{
		{Text: "A colleague sends an urgent link to a login page. What do you do?", Choices: []string{"Log in quickly", "Check with the colleague by phone"}},
		{Text: "Who may ask for your password?", Choices: []string{"Nobody", "IT, over chat"}},
	}}

func lastCommand[T event.Command](h *harness) (T, bool) {
	cmds := h.backend().commands()
	for i := len(cmds) - 1; i >= 0; i-- {
		if c, ok := cmds[i].(T); ok {
			return c, true
		}
	}
	var zero T
	return zero, false
}

func overlayRadios(t *testing.T, h *harness) []*widget.RadioGroup {
	t.Helper()
	var out []*widget.RadioGroup
	for _, o := range test.LaidOutObjects(h.app.win.Canvas().Overlays().Top()) {
		if r, ok := o.(*widget.RadioGroup); ok {
			out = append(out, r)
		}
	}
	return out
}

// First run: the welcome, the lesson, a failed quiz with every answer
// explained, Retry, a pass and the completion.
func TestTrainingFirstRunFlow(t *testing.T) {
	h := signedIn(t)
	st := trainingEvent(false)
	st.Gates["external-files"] = event.Gate{Missing: []string{"verify-identity"}, Reason: "Complete 'Verify who you are talking to' to send files to partners."}
	h.emit(st)
	if note := strings.Join(texts(h.app.train.note), " "); !h.app.train.note.Visible() || !strings.Contains(note, "1 required lesson to do. Until then you cannot write to people outside your organisation or send files to partners.") {
		t.Errorf("training note %q", note)
	}
	ov := overlayText(t, h)
	for _, want := range []string{"Security training", "Welcome to Palisade", "work tool", "complete 1 short lesson", "Continue later"} {
		if !strings.Contains(ov, want) {
			t.Errorf("welcome lacks %q:\n%s", want, ov)
		}
	}
	test.Tap(overlayButton(t, h, "Start"))
	if _, ok := lastCommand[event.WelcomeSeen](h); !ok {
		t.Error("welcome_seen not sent")
	}
	// Then the modules, the required one first, with the progress.
	ov = overlayText(t, h)
	for _, want := range []string{"Required by your organisation: 0 of 1 done", "Phishing and spam over IM", "Required · 2 min", "Optional · 1 min", "Continue later",
		"Locked: Complete 'Phishing and spam over IM'"} {
		if !strings.Contains(ov, want) {
			t.Errorf("module list lacks %q:\n%s", want, ov)
		}
	}
	if strings.Index(ov, "Phishing and spam over IM") > strings.Index(ov, "Presence, focus hours") {
		t.Error("the required module is not first")
	}
	test.Tap(overlayButton(t, h, "Start")) // the first module's
	if c, ok := lastCommand[event.GetLesson](h); !ok || c.Module != "phishing" {
		t.Fatalf("lesson not asked: %+v", h.backend().commands())
	}
	h.emit(phishingLesson)
	ov = overlayText(t, h)
	for _, want := range []string{"Phishing and spam over IM", "personal", "Fake colleagues", "then 2 questions"} {
		if !strings.Contains(ov, want) {
			t.Errorf("lesson lacks %q:\n%s", want, ov)
		}
	}
	test.Tap(overlayButton(t, h, "Take the quiz"))
	radios := overlayRadios(t, h)
	if len(radios) != 2 {
		t.Fatalf("%d radio groups, want one per question", len(radios))
	}
	radios[0].SetSelected("Log in quickly")
	test.Tap(overlayButton(t, h, "Submit"))
	sq, ok := lastCommand[event.SubmitQuiz](h)
	if !ok || sq.Module != "phishing" || sq.Version != 1 || len(sq.Answers) != 2 || sq.Answers[0] != 0 || sq.Answers[1] != -1 {
		t.Fatalf("submit_quiz = %+v", sq)
	}
	// The session grades: failed, with explanations.
	h.emit(event.QuizResult{Module: "phishing", Version: 1, Score: 0, Total: 2, Pass: 2, Answers: []event.QuizAnswer{
		{Choice: 0, Right: 1, Explain: "Urgency is the classic pressure of phishing."},
		{Choice: -1, Right: 0, Explain: "Nobody, not even IT, asks for your password."},
	}})
	ov = overlayText(t, h)
	for _, want := range []string{"Not passed: 0 of 2 right; 2 needed", "Wrong: Log in quickly", "Right answer: Check with the colleague by phone",
		"Urgency is the classic pressure", "Wrong: no answer", "not even IT"} {
		if !strings.Contains(ov, want) {
			t.Errorf("result lacks %q:\n%s", want, ov)
		}
	}
	test.Tap(overlayButton(t, h, "Retry"))
	radios = overlayRadios(t, h)
	if len(radios) != 2 || radios[0].Selected != "" {
		t.Fatalf("retry: %d radios, first selected %q", len(radios), radios[0].Selected)
	}
	radios[0].SetSelected("Check with the colleague by phone")
	radios[1].SetSelected("Nobody")
	test.Tap(overlayButton(t, h, "Submit"))
	if sq, _ := lastCommand[event.SubmitQuiz](h); sq.Answers[0] != 1 || sq.Answers[1] != 0 {
		t.Fatalf("second submit_quiz = %+v", sq)
	}
	h.emit(event.QuizResult{Module: "phishing", Version: 1, Score: 2, Total: 2, Pass: 2, Passed: true, Answers: []event.QuizAnswer{
		{Choice: 1, Correct: true, Right: 1, Explain: "Right. Check through another channel."},
		{Choice: 0, Correct: true, Right: 0, Explain: "Right."},
	}}, trainingEvent(true), event.TrainingReport{Module: "phishing", To: "it-admin@acme.test", Sent: true})
	ov = overlayText(t, h)
	for _, want := range []string{"Passed: 2 of 2 right. This module is complete.", "Right: Nobody", "reported to IT (it-admin@acme.test)"} {
		if !strings.Contains(ov, want) {
			t.Errorf("passed result lacks %q:\n%s", want, ov)
		}
	}
	if h.app.train.note.Visible() {
		t.Errorf("the note stays after completion: %v", texts(h.app.train.note))
	}
	test.Tap(overlayButton(t, h, "Done"))
	if top := h.app.win.Canvas().Overlays().Top(); top != nil {
		t.Errorf("dialog still open: %s", strings.Join(texts(top), " "))
	}
	// The settings panel's training entry lists the modules with done and
	// required marks.
	h.app.main.showSettings()
	if !strings.Contains(overlayText(t, h), "Required by your organisation: 1 of 1 done.") {
		t.Errorf("settings lack the training:\n%s", overlayText(t, h))
	}
	test.Tap(overlayButton(t, h, "Open training"))
	ov = overlayText(t, h)
	for _, want := range []string{"Required by your organisation: 1 of 1 done", "Required · Done, 2/2", "Optional · 1 min", "Review"} {
		if !strings.Contains(ov, want) {
			t.Errorf("module list lacks %q:\n%s", want, ov)
		}
	}
}

// "Continue later" closes the welcome; the session is told it was seen
// and it is not shown again in this run.
func TestTrainingContinueLater(t *testing.T) {
	h := signedIn(t)
	h.emit(trainingEvent(false))
	test.Tap(overlayButton(t, h, "Continue later"))
	if _, ok := lastCommand[event.WelcomeSeen](h); !ok {
		t.Error("welcome_seen not sent")
	}
	if top := h.app.win.Canvas().Overlays().Top(); top != nil {
		t.Fatal("the welcome stays open")
	}
	h.emit(trainingEvent(false))
	if top := h.app.win.Canvas().Overlays().Top(); top != nil {
		t.Errorf("the welcome came back: %s", strings.Join(texts(top), " "))
	}
}

// A gated send is explained with the reason and a Start lesson button.
func TestTrainingRefusedStartsLesson(t *testing.T) {
	h := signedIn(t)
	st := trainingEvent(false)
	st.Welcome, st.WelcomeSeen = "", true
	h.emit(st)
	if top := h.app.win.Canvas().Overlays().Top(); top != nil {
		t.Fatal("a dialog at start although the welcome was seen")
	}
	h.app.send("carol@partner.test", "hello")
	sent, _ := lastCommand[event.Send](h)
	h.emit(event.Refused{Command: "send", ID: sent.ID, To: "carol@partner.test", Code: event.RefusedTraining,
		Reason: "Complete 'Phishing and spam over IM' to write to people outside your organisation."})
	ov := overlayText(t, h)
	for _, want := range []string{"Training needed", "Complete 'Phishing and spam over IM' to write to people", "Nothing was sent"} {
		if !strings.Contains(ov, want) {
			t.Errorf("refusal lacks %q:\n%s", want, ov)
		}
	}
	test.Tap(overlayButton(t, h, "Start lesson"))
	if c, ok := lastCommand[event.GetLesson](h); !ok || c.Module != "phishing" {
		t.Fatalf("lesson not asked: %+v", c)
	}
	h.emit(phishingLesson)
	if !strings.Contains(overlayText(t, h), "Take the quiz") {
		t.Error("the lesson is not shown")
	}
	// The chat says it too, where the message was.
	h.app.open("carol@partner.test")
	h.mustSee("Not sent: Complete 'Phishing and spam over IM'")
}

// A just-in-time prompt is shown once, answered with prompt_seen; "Learn
// more" opens the module.
func TestTrainingPrompt(t *testing.T) {
	h := signedIn(t)
	h.emit(trainingEvent(false))
	h.emit(event.TrainingPrompt{Kind: "first-unknown-chat", JID: "eve@evil.test", Title: "You are writing outside approved organisations",
		Body: "Nobody at your organisation has approved this domain.", Module: "phishing"},
		event.TrainingPrompt{Kind: "first-external-link", JID: "eve@evil.test", Title: "A link from outside your organisation", Body: "Look before you click.", Module: "phishing"})
	// The welcome is open: the prompts wait until it closes.
	if ov := overlayText(t, h); strings.Contains(ov, "You are writing outside") {
		t.Fatal("a prompt over the welcome")
	}
	test.Tap(overlayButton(t, h, "Continue later"))
	ov := overlayText(t, h)
	if !strings.Contains(ov, "You are writing outside approved organisations") || !strings.Contains(ov, "has approved this domain") {
		t.Fatalf("prompt:\n%s", ov)
	}
	test.Tap(overlayButton(t, h, "OK"))
	if c, ok := lastCommand[event.PromptSeen](h); !ok || c.Kind != "first-unknown-chat" || c.OpenedLesson {
		t.Errorf("prompt_seen = %+v", c)
	}
	// The second prompt follows; Learn more opens the lesson.
	if !strings.Contains(overlayText(t, h), "A link from outside your organisation") {
		t.Fatal("the second prompt is not shown")
	}
	test.Tap(overlayButton(t, h, "Learn more"))
	if c, _ := lastCommand[event.PromptSeen](h); c.Kind != "first-external-link" || !c.OpenedLesson {
		t.Errorf("prompt_seen = %+v", c)
	}
	if c, ok := lastCommand[event.GetLesson](h); !ok || c.Module != "phishing" {
		t.Errorf("lesson not asked: %+v", c)
	}
}
