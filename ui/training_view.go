package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/palisade-im/palisade/event"
)

// trainingPanel is the training dialog: the welcome, the list of modules,
// a lesson, its quiz and the graded answers, one at a time.
type trainingPanel struct {
	a    *App
	d    *dialog.CustomDialog
	body *fyne.Container // the current view
	view string          // welcome, list, loading, lesson, quiz, result

	lesson  event.Lesson
	radios  []*widget.RadioGroup
	submit  *widget.Button
	result  *event.QuizResult
	report  *widget.Label // the report line under a passed quiz
	waiting bool          // a quiz was handed in; its result is awaited
}

// trainingNote is the line under the banner while required training is
// outstanding: what it locks, with a button to the lessons. It is hidden
// otherwise.
func (a *App) trainingNote() *fyne.Container {
	if a.train.note == nil {
		a.train.note = container.NewVBox()
		a.train.note.Hide()
	}
	return a.train.note
}

// refreshTrainingNote redraws the note from the training state.
func (a *App) refreshTrainingNote() {
	n := a.trainingNote()
	n.RemoveAll()
	tr := a.train.info
	if !a.train.known || len(tr.Outstanding) == 0 {
		n.Hide()
		n.Refresh()
		return
	}
	text := lang.L("Security training: {{.N}} required {{if eq .N 1}}lesson{{else}}lessons{{end}} to do.", tv{"N": len(tr.Outstanding)})
	var locked []string
	for _, f := range []string{"external-chat", "files", "external-files"} {
		if g, ok := tr.Gates[f]; ok && !g.Allowed {
			locked = append(locked, featureWord(f))
		}
	}
	if len(locked) > 0 {
		words := strings.Join(locked, ", ")
		if n := len(locked); n > 1 {
			words = strings.Join(locked[:n-1], ", ") + " " + lang.L("or") + " " + locked[n-1]
		}
		text += " " + lang.L("Until then you cannot {{.What}}.", tv{"What": words})
	}
	l := widgetLabelWrap(text)
	btn := widget.NewButton(trainingButtonText(tr, true), func() { a.openTraining("") })
	btn.Importance = widget.WarningImportance
	a.train.btn = btn
	n.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.NewWarningThemedResource(theme.WarningIcon())), btn, l))
	n.Show()
	n.Refresh()
}

// featureWord names a gated feature in the note.
func featureWord(f string) string {
	switch f {
	case "external-chat":
		return lang.L("write to people outside your organisation")
	case "files":
		return lang.L("send files")
	case "external-files":
		return lang.L("send files to partners")
	}
	return f
}

// fillTraining adds the training section to the settings panel: progress
// and the way to the lessons, required or not.
func (a *App) fillTraining(box *fyne.Container) {
	box.Add(widget.NewLabelWithStyle(lang.L("Security training"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	tr := a.train.info
	done, total, _ := requiredProgress(tr)
	line := lang.L("Short lessons on chat security, each with a quiz.")
	if total > 0 {
		line = lang.L("Required by your organisation: {{.Done}} of {{.Total}} done.", tv{"Done": done, "Total": total})
	}
	open := widget.NewButtonWithIcon(lang.L("Open training"), theme.HelpIcon(), func() { a.openTraining("") })
	box.Add(container.NewBorder(nil, nil, nil, open, widgetLabelWrap(line)))
	box.Add(widget.NewSeparator())
}

// openTraining opens the training dialog on the module list, or on a
// module's lesson when module is given.
func (a *App) openTraining(module string) {
	t := &a.train
	if t.panel == nil {
		p := &trainingPanel{a: a, body: container.NewStack()}
		p.d = dialog.NewCustomWithoutButtons(lang.L("Security training"), p.body, a.win)
		p.d.SetOnClosed(func() {
			if t.panel == p {
				t.panel = nil
				a.nextPrompt()
			}
		})
		t.panel = p
		if !t.known {
			a.do(event.GetTraining{})
		}
		p.showList()
		p.d.Show()
		p.resize()
	}
	if module != "" {
		t.panel.openModule(module)
	}
}

func (p *trainingPanel) resize() {
	s := p.a.win.Canvas().Size()
	w, h := s.Width*0.86, s.Height*0.86
	if w > 860 {
		w = 860
	}
	p.d.Resize(fyne.NewSize(w, h))
}

func (p *trainingPanel) close() { p.d.Hide() }

// set shows a view with its buttons.
func (p *trainingPanel) set(view string, content fyne.CanvasObject, buttons ...fyne.CanvasObject) {
	p.view = view
	p.body.Objects = []fyne.CanvasObject{content}
	p.body.Refresh()
	p.d.SetButtons(buttons)
}

func markdown(text string) *widget.RichText {
	r := widget.NewRichTextFromMarkdown(text)
	r.Wrapping = fyne.TextWrapWord
	return r
}

func bold(s string) *widget.Label {
	l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Wrapping = fyne.TextWrapWord
	return l
}

func primary(text string, f func()) *widget.Button {
	b := widget.NewButton(text, f)
	b.Importance = widget.HighImportance
	return b
}

// showWelcome is the first-run view: IM as a work tool, then what the
// organisation requires, with "Continue later".
func (p *trainingPanel) showWelcome() {
	a := p.a
	tr := a.train.info
	done, total, minutes := requiredProgress(tr)
	var what string
	switch {
	case total == 0:
		what = lang.L("Your organisation requires no lesson; they are all there for you to read when you like.")
	case done == total:
		what = lang.L("You have completed the lessons your organisation requires.")
	default:
		what = lang.L("Your organisation asks you to complete {{.N}} short {{if eq .N 1}}lesson{{else}}lessons{{end}}, about {{.Minutes}} {{if eq .Minutes 1}}minute{{else}}minutes{{end}} in all. Until then, some features stay locked.", tv{"N": total - done, "Minutes": minutes})
	}
	seen := func() {
		if !a.train.info.WelcomeSeen {
			a.do(event.WelcomeSeen{})
		}
	}
	start := primary(lang.L("Start"), func() {
		seen()
		p.showList() // the required modules first, with the progress
	})
	later := widget.NewButton(lang.L("Continue later"), func() { seen(); p.close() })
	summary := bold(what)
	p.set("welcome", container.NewVScroll(container.NewVBox(markdown(tr.Welcome), summary)), later, start)
}

// showList lists the modules, required ones first, with the progress.
func (p *trainingPanel) showList() {
	a := p.a
	tr := a.train.info
	done, total, _ := requiredProgress(tr)
	rows := container.NewVBox()
	if total > 0 {
		head := bold(lang.L("Required by your organisation: {{.Done}} of {{.Total}} done", tv{"Done": done, "Total": total}))
		bar := widget.NewProgressBar()
		bar.Max, bar.Value = float64(total), float64(done)
		bar.TextFormatter = func() string { return fmt.Sprintf("%d / %d", done, total) }
		rows.Add(head)
		rows.Add(bar)
	} else if a.train.known {
		rows.Add(widgetLabelWrap(lang.L("Your organisation requires no lesson. Each one takes a minute or two.")))
	} else {
		rows.Add(widget.NewLabel(lang.L("Loading…")))
	}
	for _, g := range []string{"external-chat", "files", "external-files"} {
		if gate, ok := tr.Gates[g]; ok && !gate.Allowed && gate.Reason != "" {
			l := widgetLabelWrap(lang.L("Locked: {{.Why}}", tv{"Why": gate.Reason}))
			l.Importance = widget.WarningImportance
			rows.Add(l)
		}
	}
	for _, m := range tr.Modules {
		rows.Add(p.moduleRow(m))
	}
	closeText := lang.L("Close")
	if len(tr.Outstanding) > 0 {
		closeText = lang.L("Continue later")
	}
	p.set("list", container.NewVScroll(rows), widget.NewButton(closeText, p.close))
}

func (p *trainingPanel) moduleRow(m event.TrainingModule) fyne.CanvasObject {
	icon := widget.NewIcon(theme.RadioButtonIcon())
	status := lang.L("Optional")
	if m.Required {
		status = lang.L("Required")
	}
	action := lang.L("Start")
	if m.Done {
		icon.SetResource(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
		status = lang.L("Done, {{.Score}}/{{.Total}}", tv{"Score": m.Score, "Total": m.Total})
		if !m.CompletedAt.IsZero() {
			status += " " + lang.L("on {{.Date}}", tv{"Date": formatDate(m.CompletedAt.Local(), "2 Jan 2006")})
		}
		if m.Required {
			status = lang.L("Required") + " · " + status
		}
		action = lang.L("Review")
	} else if m.Required {
		icon.SetResource(theme.NewWarningThemedResource(theme.WarningIcon()))
	}
	title := widget.NewLabel(m.Title)
	if m.Required {
		title.TextStyle = fyne.TextStyle{Bold: true}
	}
	title.Truncation = fyne.TextTruncateEllipsis
	detail := widget.NewLabel(fmt.Sprintf("%s · %d min", status, m.Minutes))
	detail.SizeName = theme.SizeNameCaptionText
	id := m.ID
	btn := widget.NewButton(action, func() { p.openModule(id) })
	if !m.Done && m.Required {
		btn.Importance = widget.HighImportance
	}
	return container.NewBorder(nil, nil, icon, container.NewCenter(btn), container.NewVBox(title, detail))
}

// openModule asks for the module's lesson and shows it when it comes.
func (p *trainingPanel) openModule(id string) {
	a := p.a
	if l, ok := a.train.lessons[id]; ok {
		if m, ok := a.trainingModule(id); !ok || m.Version == l.Version {
			p.showLesson(l)
			return
		}
	}
	p.set("loading", widget.NewLabel(lang.L("Opening the lesson…")), widget.NewButton(lang.L("Back"), p.showList))
	a.requestLesson(id)
}

// showLesson shows a lesson (Markdown) with the way to its quiz.
func (p *trainingPanel) showLesson(l event.Lesson) {
	p.lesson = l
	head := container.NewVBox(bold(l.Title), widget.NewLabel(lang.L("About {{.Minutes}} {{if eq .Minutes 1}}minute{{else}}minutes{{end}} · then {{.N}} {{if eq .N 1}}question{{else}}questions{{end}}", tv{"Minutes": l.Minutes, "N": len(l.Questions)})), widget.NewSeparator())
	content := container.NewBorder(head, nil, nil, nil, container.NewVScroll(markdown(l.Text)))
	p.set("lesson", content, widget.NewButton(lang.L("All lessons"), p.showList), primary(lang.L("Take the quiz"), p.showQuiz))
}

// showQuiz shows the quiz: one radio group per question.
func (p *trainingPanel) showQuiz() {
	l := p.lesson
	box := container.NewVBox(bold(lang.L("{{.Title}}: quiz", tv{"Title": l.Title})), widgetLabelWrap(lang.L("Choose one answer per question. {{.Pass}} of {{.N}} right answers pass.", tv{"Pass": l.Pass, "N": len(l.Questions)})))
	p.radios = nil
	for i, q := range l.Questions {
		box.Add(widget.NewSeparator())
		box.Add(bold(fmt.Sprintf("%d. %s", i+1, q.Text)))
		rg := widget.NewRadioGroup(q.Choices, nil)
		p.radios = append(p.radios, rg)
		box.Add(rg)
	}
	p.result = nil
	p.waiting = false
	p.submit = primary(lang.L("Submit"), p.handIn)
	p.set("quiz", container.NewVScroll(box), widget.NewButton(lang.L("Back to the lesson"), func() { p.showLesson(p.lesson) }), p.submit)
}

// answers are the chosen choice indexes (-1 for none).
func (p *trainingPanel) answers() []int {
	out := make([]int, len(p.radios))
	for i, rg := range p.radios {
		out[i] = -1
		for j, o := range rg.Options {
			if o == rg.Selected {
				out[i] = j
			}
		}
	}
	return out
}

func (p *trainingPanel) handIn() {
	p.waiting = true
	p.submit.Disable()
	p.a.do(event.SubmitQuiz{Module: p.lesson.ID, Version: p.lesson.Version, Answers: p.answers()})
}

// showResult shows the graded answers, each explained, with Retry after
// a failure and the next module after a pass.
func (p *trainingPanel) showResult(r event.QuizResult) {
	if r.Module != p.lesson.ID || !p.waiting {
		return
	}
	p.waiting = false
	p.result = &r
	l := p.lesson
	box := container.NewVBox()
	head := lang.L("Passed: {{.Score}} of {{.Total}} right. This module is complete.", tv{"Score": r.Score, "Total": r.Total})
	if !r.Passed {
		head = lang.L("Not passed: {{.Score}} of {{.Total}} right; {{.Pass}} needed. Read the explanations and try again.", tv{"Score": r.Score, "Total": r.Total, "Pass": r.Pass})
	}
	hl := bold(head)
	if r.Passed {
		hl.Importance = widget.SuccessImportance
	} else {
		hl.Importance = widget.WarningImportance
	}
	box.Add(hl)
	p.report = widgetLabelWrap("")
	p.report.SizeName = theme.SizeNameCaptionText
	p.report.Hide() // until the report's fate is known
	box.Add(p.report)
	for i, ans := range r.Answers {
		if i >= len(l.Questions) {
			break
		}
		q := l.Questions[i]
		box.Add(widget.NewSeparator())
		box.Add(bold(fmt.Sprintf("%d. %s", i+1, q.Text)))
		var icon fyne.Resource = theme.NewSuccessThemedResource(theme.ConfirmIcon())
		verdict := lang.L("Right")
		if !ans.Correct {
			icon = theme.NewErrorThemedResource(theme.CancelIcon())
			verdict = lang.L("Wrong")
		}
		chosen := lang.L("no answer")
		if ans.Choice >= 0 && ans.Choice < len(q.Choices) {
			chosen = q.Choices[ans.Choice]
		}
		box.Add(container.NewBorder(nil, nil, widget.NewIcon(icon), nil, widgetLabelWrap(verdict+": "+chosen)))
		if !ans.Correct && ans.Right >= 0 && ans.Right < len(q.Choices) {
			box.Add(widgetLabelWrap(lang.L("Right answer: {{.Answer}}", tv{"Answer": q.Choices[ans.Right]})))
		}
		ex := widgetLabelWrap(ans.Explain)
		ex.TextStyle = fyne.TextStyle{Italic: true}
		box.Add(ex)
	}
	var buttons []fyne.CanvasObject
	if r.Passed {
		buttons = append(buttons, widget.NewButton(lang.L("All lessons"), p.showList))
		if next := p.nextOutstanding(r.Module); next != "" {
			buttons = append(buttons, primary(lang.L("Next lesson"), func() { p.openModule(next) }))
		} else {
			buttons = append(buttons, primary(lang.L("Done"), p.close))
		}
	} else {
		buttons = append(buttons, widget.NewButton(lang.L("Read the lesson again"), func() { p.showLesson(p.lesson) }), primary(lang.L("Retry"), p.showQuiz))
	}
	p.set("result", container.NewVScroll(box), buttons...)
}

// nextOutstanding is the next required module not done, other than id.
func (p *trainingPanel) nextOutstanding(id string) string {
	for _, o := range p.a.train.info.Outstanding {
		if o != id {
			return o
		}
	}
	return ""
}

// reported shows what became of the completion report.
func (p *trainingPanel) reported(r event.TrainingReport) {
	if p.report == nil || p.result == nil || r.Module != p.result.Module {
		return
	}
	if r.Sent {
		p.report.SetText(lang.L("Your completion was reported to IT ({{.To}}).", tv{"To": r.To}))
	} else {
		p.report.SetText(r.Reason)
	}
	p.report.Show()
}

// trainingChanged redraws the list when it is shown; a module that became
// done while its result is shown keeps the result.
func (p *trainingPanel) trainingChanged() {
	switch p.view {
	case "list":
		p.showList()
	case "result":
		if p.result != nil && p.result.Passed {
			p.showResultButtons()
		}
	}
}

// showResultButtons recomputes "Next lesson" after the state changed.
func (p *trainingPanel) showResultButtons() {
	r := p.result
	var buttons []fyne.CanvasObject
	buttons = append(buttons, widget.NewButton(lang.L("All lessons"), p.showList))
	if next := p.nextOutstanding(r.Module); next != "" {
		buttons = append(buttons, primary(lang.L("Next lesson"), func() { p.openModule(next) }))
	} else {
		buttons = append(buttons, primary(lang.L("Done"), p.close))
	}
	p.d.SetButtons(buttons)
}

// showPrompt shows a just-in-time prompt once: "Learn more" opens the
// module, "OK" closes it; either way the session is told it was seen.
func (a *App) showPrompt(pr event.TrainingPrompt) {
	var d *dialog.CustomDialog
	seen := func(opened bool) {
		a.do(event.PromptSeen{Kind: pr.Kind, OpenedLesson: opened})
	}
	body := markdown(pr.Body)
	content := container.NewVBox(body)
	d = dialog.NewCustomWithoutButtons(pr.Title, content, a.win)
	buttons := []fyne.CanvasObject{}
	if pr.Module != "" {
		module := pr.Module
		buttons = append(buttons, widget.NewButton(lang.L("Learn more"), func() {
			seen(true)
			d.Hide()
			a.openTraining(module)
		}))
	}
	buttons = append(buttons, primary("OK", func() { seen(false); d.Hide() }))
	d.SetButtons(buttons)
	d.SetOnClosed(func() {
		a.train.promptOpen = false
		a.nextPrompt()
	})
	d.Show()
	d.Resize(fyne.NewSize(460, d.MinSize().Height))
}

// trainingRefused explains a command the session refused for training,
// where the action was, with a way to the lesson.
func (a *App) trainingRefused(e event.Refused) {
	if !a.onMain {
		return
	}
	if a.train.gated != nil {
		a.train.gated.Hide()
	}
	module := a.missingFor(e.Reason)
	msg := widgetLabelWrap(refusedReason(e))
	var d *dialog.CustomDialog
	d = dialog.NewCustomWithoutButtons(lang.L("Training needed"), container.NewVBox(msg,
		widgetLabelWrap(lang.L("Nothing was sent. The lesson takes a minute or two; the feature unlocks as soon as you pass its quiz."))), a.win)
	buttons := []fyne.CanvasObject{widget.NewButton(lang.L("Not now"), func() { d.Hide() })}
	if module != "" {
		buttons = append(buttons, primary(lang.L("Start lesson"), func() {
			d.Hide()
			a.openTraining(module)
		}))
	}
	d.SetButtons(buttons)
	d.SetOnClosed(func() {
		if a.train.gated == d {
			a.train.gated = nil
		}
	})
	a.train.gated = d
	d.Show()
	d.Resize(fyne.NewSize(460, d.MinSize().Height))
}
