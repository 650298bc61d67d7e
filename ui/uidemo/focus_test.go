package uidemo

import (
	"testing"
	"time"

	"github.com/palisade-im/palisade/event"
)

func TestDemoFocusAndTor(t *testing.T) {
	b := New()
	defer b.Do(event.Quit{})
	b.Do(event.FocusNow{Minutes: 30, Allow: []string{"bob@acme.test"}})
	b.Do(event.SetTor{Enabled: true})
	var focus *event.Focus
	var own *event.OwnPresence
	var tor *event.TorState
	var refused bool
	deadline := time.After(10 * time.Second)
	for focus == nil || tor == nil || !refused || own == nil {
		select {
		case e := <-b.Events():
			switch e := e.(type) {
			case event.Focus:
				focus = &e
			case event.OwnPresence:
				if e.Show == event.ShowDND {
					own = &e
				}
			case event.TorState:
				tor = &e
			case event.Error:
				refused = refused || e.Code == event.CodeConfig
			}
		case <-deadline:
			t.Fatalf("focus %v, dnd presence %v, tor %v, refused %v", focus, own, tor, refused)
		}
	}
	if !focus.Active || !focus.Manual || focus.Until.Before(time.Now().Add(29*time.Minute)) {
		t.Errorf("focus %+v", *focus)
	}
	if tor.Enabled || !tor.Locked {
		t.Errorf("tor %+v: the demo profile locks Tor off", *tor)
	}
}
