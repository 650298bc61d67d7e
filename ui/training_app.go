package ui

import (
	"fyne.io/fyne/v2/lang"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/palisade-im/palisade/event"
)

// Security training in the GUI: the session grades quizzes and enforces
// the gates; the GUI shows the welcome, the modules, lessons and quizzes,
// the just-in-time prompts, and explains a gated action with a way to the
// lesson. Content comes in the session's language; the chrome is English.

// trainingState is what the GUI keeps of the training events.
type trainingState struct {
	info  event.Training
	known bool
	// lessons received, by module id; wanted is the module whose lesson
	// the panel waits for.
	lessons map[string]event.Lesson
	wanted  string
	// welcomeShown: the first-run welcome was shown in this run.
	welcomeShown bool
	// prompts wait to be shown, one dialog at a time.
	prompts    []event.TrainingPrompt
	promptOpen bool

	panel *trainingPanel  // the open training dialog, nil when closed
	gated dialog.Dialog   // the open "training needed" dialog
	btn   *widget.Button  // the note's Training button
	note  *fyne.Container // the note under the banner while lessons are due
	last  *event.Training // for tests: the last state applied
}

// applyTraining applies a training event. It reports whether the
// notices changed.
func (a *App) applyTraining(ev event.Event) (noticesDirty bool) {
	t := &a.train
	switch e := ev.(type) {
	case event.Training:
		t.info, t.known = e, true
		t.last = &t.info
		a.updateTrainingButton()
		if t.panel != nil {
			t.panel.trainingChanged()
		}
		a.maybeWelcome()
	case event.Lesson:
		if t.lessons == nil {
			t.lessons = map[string]event.Lesson{}
		}
		t.lessons[e.ID] = e
		if t.panel != nil && t.wanted == e.ID {
			t.wanted = ""
			t.panel.showLesson(e)
		}
	case event.QuizResult:
		if t.panel != nil {
			t.panel.showResult(e)
		}
	case event.TrainingPrompt:
		t.prompts = append(t.prompts, e)
		a.nextPrompt()
	case event.TrainingReport:
		if t.panel != nil {
			t.panel.reported(e)
		}
		if !e.Sent && e.Reason != "" {
			a.profile.addNotice(NoticeInfo, lang.L("Training: {{.Why}}", tv{"Why": e.Reason}))
			return true
		}
	}
	return false
}

// trainingOnMain is called when the main view appears: the first-run
// welcome and waiting prompts can be shown now.
func (a *App) trainingOnMain() {
	a.maybeWelcome()
	a.nextPrompt()
}

// maybeWelcome shows the first-run welcome once, when the session says it
// was not seen yet.
func (a *App) maybeWelcome() {
	t := &a.train
	if !a.onMain || t.welcomeShown || !t.known || t.info.WelcomeSeen || strings.TrimSpace(t.info.Welcome) == "" {
		return
	}
	t.welcomeShown = true
	a.openTraining("")
	t.panel.showWelcome()
}

// nextPrompt shows the next waiting just-in-time prompt.
func (a *App) nextPrompt() {
	t := &a.train
	// One dialog at a time: a prompt waits while the training is open.
	if !a.onMain || t.promptOpen || t.panel != nil || len(t.prompts) == 0 {
		return
	}
	p := t.prompts[0]
	t.prompts = t.prompts[1:]
	t.promptOpen = true
	a.showPrompt(p)
}

// trainingModule returns the module's entry in the last Training event.
func (a *App) trainingModule(id string) (event.TrainingModule, bool) {
	for _, m := range a.train.info.Modules {
		if m.ID == id {
			return m, true
		}
	}
	return event.TrainingModule{}, false
}

// requiredProgress counts the required modules and those done.
func requiredProgress(tr event.Training) (done, total, minutes int) {
	for _, m := range tr.Modules {
		if m.Required {
			total++
			if m.Done {
				done++
			} else {
				minutes += m.Minutes
			}
		}
	}
	return done, total, minutes
}

// trainingButtonText is the sidebar button's label.
func trainingButtonText(tr event.Training, known bool) string {
	if !known {
		return lang.L("Training")
	}
	if n := len(tr.Outstanding); n > 0 {
		return lang.L("Training ({{.N}} to do)", tv{"N": n})
	}
	return lang.L("Training")
}

func (a *App) updateTrainingButton() { a.refreshTrainingNote() }

// missingFor finds the module to take for a training refusal: the first
// missing module of the gate whose reason the refusal carries.
func (a *App) missingFor(reason string) string {
	for _, g := range a.train.info.Gates {
		if g.Reason == reason && len(g.Missing) > 0 {
			return g.Missing[0]
		}
	}
	// The state may be older than the refusal: a module named in it.
	for _, m := range a.train.info.Modules {
		if !m.Done && strings.Contains(reason, "'"+m.Title+"'") {
			return m.ID
		}
	}
	if len(a.train.info.Outstanding) > 0 {
		return a.train.info.Outstanding[0]
	}
	return ""
}

// requestLesson asks the session for a module's lesson for the panel.
func (a *App) requestLesson(id string) {
	a.train.wanted = id
	a.do(event.GetLesson{Module: id})
}
