package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/palisade-im/palisade/event"
)

// signInView is the sign-in form.
type signInView struct {
	app  *App
	root fyne.CanvasObject

	jid, password, server, caFile *widget.Entry
	remember, directTLS           *widget.Check
	jidErr, passErr, serverErr    *widget.Label
	caErr                         *widget.Label
	advanced                      *widget.Accordion
	submitBtn, retryBtn, cancel   *widget.Button
	progress                      *widget.ProgressBarInfinite
	status                        *widget.Label
	failure                       *widget.Label
	failureBox                    *fyne.Container
	busy                          bool
	failed                        bool // a sign-in has failed since the form was shown
}

func errorLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

func setError(l *widget.Label, msg string) {
	l.SetText(msg)
	if msg == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

func newSignInView(a *App) *signInView {
	v := &signInView{app: a}
	p := a.opts.Prefill

	v.jid = widget.NewEntry()
	v.jid.SetPlaceHolder(lang.L("alice@example.com"))
	v.jid.SetText(p.JID)
	v.password = widget.NewPasswordEntry()
	v.password.SetPlaceHolder(lang.L("Password"))
	v.password.SetText(p.Password)
	v.password.OnSubmitted = func(string) { v.submit() }
	v.jid.OnSubmitted = func(string) { a.win.Canvas().Focus(v.password) }
	v.remember = widget.NewCheck(lang.L("Remember me (keep the password in the system keyring)"), nil)
	v.remember.SetChecked(p.Remember)

	v.server = widget.NewEntry()
	v.server.SetPlaceHolder(lang.L("automatic (DNS SRV)"))
	v.server.SetText(p.Server)
	v.directTLS = widget.NewCheck(lang.L("Direct TLS (no STARTTLS)"), nil)
	v.directTLS.SetChecked(p.DirectTLS)
	v.caFile = widget.NewEntry()
	v.caFile.SetPlaceHolder(lang.L("system certificates"))
	v.caFile.SetText(p.CAFile)
	browse := widget.NewButtonWithIcon(lang.L("Choose…"), theme.FolderOpenIcon(), func() {
		d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
			if err != nil || r == nil {
				return
			}
			v.caFile.SetText(r.URI().Path())
			_ = r.Close()
		}, a.win)
		d.Show()
	})

	v.jidErr, v.passErr, v.serverErr, v.caErr = errorLabel(), errorLabel(), errorLabel(), errorLabel()

	field := func(label string, w fyne.CanvasObject, errL *widget.Label) fyne.CanvasObject {
		l := widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		return container.NewVBox(l, w, errL)
	}
	adv := container.NewVBox(
		field(lang.L("Server (host:port)"), v.server, v.serverErr),
		v.directTLS,
		field(lang.L("CA certificate file (PEM)"), container.NewBorder(nil, nil, nil, browse, v.caFile), v.caErr),
	)
	v.advanced = widget.NewAccordion(widget.NewAccordionItem(lang.L("Advanced"), adv))
	if p.Server != "" || p.DirectTLS || p.CAFile != "" {
		v.advanced.Open(0)
	}

	v.submitBtn = widget.NewButtonWithIcon(lang.L("Sign in"), theme.LoginIcon(), v.submit)
	v.submitBtn.Importance = widget.HighImportance
	v.retryBtn = widget.NewButtonWithIcon(lang.L("Retry now"), theme.ViewRefreshIcon(), func() { a.do(event.Reconnect{}) })
	v.retryBtn.Hide()
	v.cancel = widget.NewButton(lang.L("Cancel"), v.cancelConnect)
	v.cancel.Hide()
	v.progress = widget.NewProgressBarInfinite()
	v.progress.Stop()
	v.progress.Hide()
	v.status = widget.NewLabel("")
	v.status.Wrapping = fyne.TextWrapWord
	v.status.Hide()

	v.failure = widget.NewLabel("")
	v.failure.Wrapping = fyne.TextWrapWord
	v.failure.Importance = widget.DangerImportance
	v.failureBox = container.NewBorder(nil, nil, widget.NewIcon(theme.NewErrorThemedResource(theme.ErrorIcon())), nil, v.failure)
	v.failureBox.Hide()

	var notice fyne.CanvasObject = layout.NewSpacer()
	if a.opts.Notice != "" {
		n := widget.NewLabel(a.opts.Notice)
		n.Wrapping = fyne.TextWrapWord
		notice = container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), nil, n)
	}

	title := widget.NewLabelWithStyle(lang.L("Sign in to Palisade"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	sub := widget.NewLabel(lang.L("Use your company chat address and password."))

	form := container.NewVBox(
		title, sub, notice,
		field(lang.L("Address"), v.jid, v.jidErr),
		field(lang.L("Password"), v.password, v.passErr),
		v.remember,
		v.advanced,
		v.failureBox,
		v.progress, v.status,
		container.NewHBox(layout.NewSpacer(), v.cancel, v.retryBtn, v.submitBtn),
	)
	card := widget.NewCard("", "", container.NewPadded(form))
	v.root = container.NewCenter(container.New(&fixedWidth{w: 460}, card))
	return v
}

func (v *signInView) focusTarget() fyne.Focusable {
	if v.jid.Text == "" {
		return v.jid
	}
	return v.password
}

// values reads the form.
func (v *signInView) values() SignIn {
	return SignIn{
		JID:       strings.TrimSpace(v.jid.Text),
		Password:  v.password.Text,
		Remember:  v.remember.Checked,
		Server:    strings.TrimSpace(v.server.Text),
		DirectTLS: v.directTLS.Checked,
		CAFile:    strings.TrimSpace(v.caFile.Text),
	}
}

// submit validates the form and, when it is fine, connects.
func (v *signInView) submit() {
	if v.busy {
		return
	}
	s := v.values()
	// The password may live in the keyring when cmd/client said so.
	// After a failure the user is asked for the password again.
	optional := v.app.opts.AutoSignIn && s.JID == v.app.opts.Prefill.JID && !v.failed
	e := validateSignIn(s, optional)
	setError(v.jidErr, e.JID)
	setError(v.passErr, e.Password)
	setError(v.serverErr, e.Server)
	setError(v.caErr, e.CAFile)
	if e.Server != "" || e.CAFile != "" {
		v.advanced.Open(0)
	}
	if !e.ok() {
		return
	}
	v.setFailure("")
	if err := v.app.connect(s); err != nil {
		v.setFailure(err.Error())
		return
	}
	v.setBusy(true, lang.L("Connecting…"))
}

func (v *signInView) cancelConnect() {
	v.app.do(event.Quit{})
	v.app.backToSignIn("")
}

// setBusy shows or hides the "connecting" state.
func (v *signInView) setBusy(busy bool, status string) {
	v.busy = busy
	for _, w := range []fyne.Disableable{v.jid, v.password, v.server, v.caFile, v.remember, v.directTLS} {
		if busy {
			w.Disable()
		} else {
			w.Enable()
		}
	}
	v.retryBtn.Hide()
	if busy {
		v.submitBtn.Disable()
		v.cancel.Show()
		v.progress.Show()
		v.progress.Start()
		v.status.SetText(status)
		v.status.Show()
	} else {
		v.submitBtn.Enable()
		v.cancel.Hide()
		v.progress.Stop()
		v.progress.Hide()
		v.status.Hide()
	}
}

// setOffline shows a failed attempt that will be retried automatically.
func (v *signInView) setOffline(text string) {
	v.progress.Stop()
	v.progress.Hide()
	v.status.SetText(text)
	v.status.Show()
	v.retryBtn.Show()
}

// setFailure shows why the last sign-in failed ("" hides it).
func (v *signInView) setFailure(msg string) {
	if msg != "" {
		v.failed = true
	}
	v.failure.SetText(msg)
	if msg == "" {
		v.failureBox.Hide()
	} else {
		v.failureBox.Show()
	}
}

// fixedWidth lays out its objects stacked, at a fixed width.
type fixedWidth struct{ w float32 }

func (f *fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		if m := o.MinSize(); m.Height > h {
			h = m.Height
		}
	}
	return fyne.NewSize(f.w, h)
}

func (f *fixedWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}
