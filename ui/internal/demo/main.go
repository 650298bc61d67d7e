package main

import (
	"flag"
	"os"
	"time"

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
	flag.Parse()
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
			return b, nil
		},
	}
	u := ui.New(app.NewWithID("im.palisade.demo"), opts)
	if *open != "" {
		u.Open(*open)
	}
	u.ShowAndRun()
}
