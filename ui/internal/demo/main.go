package main

import (
	"flag"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/ui"
	"github.com/palisade-im/palisade/ui/uidemo"
)

func main() {
	auto := flag.Bool("auto", true, "sign in at once")
	offline := flag.Duration("offline-after", 0, "simulate a lost connection after this long (0: never)")
	burst := flag.Int("burst", 0, "deliver this many messages from carol@acme.test 3 s after sign-in")
	fail := flag.String("fail", "", "make sign-in fail for good with this message")
	update := flag.Duration("profile-update-after", 0, "apply a newer profile (with a list of changes) after this long (0: never)")
	refuse := flag.Duration("profile-refused-after", 0, "report a refused pushed profile after this long (0: never)")
	open := flag.String("open", "bob@acme.test", "conversation to open after sign-in (empty: none)")
	openRoom := flag.String("open-room", "", "room (room@service) or private chat in a room (room@service/nick) to open 1 s after sign-in")
	search := flag.String("search", "", "search every conversation for this 1.5 s after sign-in")
	exportTo := flag.String("export-to", "", "export every conversation as HTML to this file 1.5 s after sign-in (the notice shows)")
	exportDialog := flag.String("export-dialog", "", "open the export dialog for this conversation 1.5 s after sign-in (\"all\": every conversation)")
	enrol := flag.String("enrol", uidemo.EnrolState, "this device's enrolment state at sign-in (none, pending, enrolled, expired, rejected, lost-key, no-key)")
	change := flag.Duration("identity-change-after", uidemo.ChangeAfter, "Dave's identity changes (a new, uncertified device) this long after sign-in (0: never)")
	settings := flag.Bool("settings", false, "open the settings and account panel 1.5 s after sign-in")
	certs := flag.String("certificates", "", "open the certificate details of this contact 3.5 s after sign-in")
	flag.Parse()
	uidemo.EnrolState, uidemo.ChangeAfter = *enrol, *change
	var u *ui.App
	later := func(d time.Duration, f func()) { time.AfterFunc(d, func() { fyne.Do(f) }) }
	opts := ui.Options{
		Prefill:    ui.SignIn{JID: uidemo.Self, Password: "demo", Remember: true},
		AutoSignIn: *auto,
		Notice:     os.Getenv("PALISADE_DEMO_NOTICE"),
		Connect: func(ui.SignIn) (event.Backend, error) {
			if *fail != "" {
				return uidemo.NewFailing(*fail), nil
			}
			b := uidemo.New()
			if *burst > 0 {
				time.AfterFunc(3*time.Second, func() { b.Burst("carol@acme.test", *burst) })
			}
			if *update > 0 {
				time.AfterFunc(*update, b.UpdateProfile)
			}
			if *refuse > 0 {
				time.AfterFunc(*refuse, b.RefuseProfile)
			}
			if *offline > 0 {
				time.AfterFunc(*offline, func() { b.Disconnect(12) })
			}
			if *openRoom != "" {
				later(time.Second, func() { u.OpenRoom(*openRoom) })
			}
			if *search != "" {
				later(1500*time.Millisecond, func() { u.Search(*search) })
			}
			if *exportTo != "" {
				time.AfterFunc(1500*time.Millisecond, func() { b.Do(event.Export{Format: "html", Path: *exportTo}) })
			}
			if *settings {
				later(1500*time.Millisecond, func() { u.ShowSettings() })
			}
			if *certs != "" {
				later(3500*time.Millisecond, func() { u.ShowCertificates(*certs) })
			}
			if *exportDialog != "" {
				conv := *exportDialog
				if conv == "all" {
					conv = ""
				}
				later(1500*time.Millisecond, func() { u.Export(conv) })
			}
			return b, nil
		},
	}
	u = ui.New(app.NewWithID("im.palisade.demo"), opts)
	if *open != "" {
		u.Open(*open)
	}
	u.ShowAndRun()
}
