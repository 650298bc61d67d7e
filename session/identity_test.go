package session

import (
	"testing"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/identity"
)

func offlineIdentity(t *testing.T) *Session {
	t.Helper()
	s, err := New(Config{JID: "alice@acme.test", Password: func() (string, error) { return "", nil }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func dev(id, sum, status string) peerDevice {
	return peerDevice{id: id, chain: nil, result: identity.Result{Status: status, SHA256: sum, DeviceID: id, Reason: "because " + status}}
}

// TestDetectChange: what counts as an identity change of a peer, from what
// was verified or acknowledged before.
func TestDetectChange(t *testing.T) {
	const bob = "bob@acme.test"
	verified := func(devs map[string]string) *identRecord { return &identRecord{Verified: true, Devices: devs} }
	cases := []struct {
		name    string
		peer    string
		rec     *identRecord
		devices []peerDevice
		want    string // change kind, "" for none
		device  string
		known   []string // device ids remembered afterwards
	}{
		{"first verified device is remembered", bob, nil, []peerDevice{dev("A", "1", event.IdentityVerified)}, "", "", []string{"A"}},
		{"never verified: nothing to compare", bob, nil, []peerDevice{dev("A", "1", event.IdentityUnverified)}, "", "", nil},
		{"same device again", bob, verified(map[string]string{"A": "1"}), []peerDevice{dev("A", "1", event.IdentityVerified)}, "", "", []string{"A"}},
		{"new uncertified device", bob, verified(map[string]string{"A": "1"}),
			[]peerDevice{dev("A", "1", event.IdentityVerified), dev("B", "2", event.IdentityUnverified)}, event.ChangeNewDevice, "B", []string{"A"}},
		{"new certified device is fine", bob, verified(map[string]string{"A": "1"}),
			[]peerDevice{dev("A", "1", event.IdentityVerified), dev("B", "2", event.IdentityVerified)}, "", "", []string{"A", "B"}},
		{"changed certificate", bob, verified(map[string]string{"A": "1"}), []peerDevice{dev("A", "9", event.IdentityVerified)}, event.ChangeCertificate, "A", []string{"A"}},
		{"revoked", bob, verified(map[string]string{"A": "1"}), []peerDevice{dev("A", "1", event.IdentityRevoked)}, event.ChangeLost, "", []string{"A"}},
		{"all devices gone", bob, verified(map[string]string{"A": "1"}), nil, event.ChangeLost, "", []string{"A"}},
		{"loss already acknowledged", bob, &identRecord{Verified: true, Devices: map[string]string{"A": "1"}, LostAcked: true}, nil, "", "", []string{"A"}},
		{"already locked", bob, &identRecord{Verified: true, Devices: map[string]string{"A": "1"}, Lock: &identLock{Change: event.ChangeLost}},
			[]peerDevice{dev("B", "2", event.IdentityUnverified)}, "", "", []string{"A"}},
		{"acknowledged uncertified device gets a certificate", bob, verified(map[string]string{"A": "1", "B": ""}),
			[]peerDevice{dev("A", "1", event.IdentityVerified), dev("B", "2", event.IdentityVerified)}, "", "", []string{"A", "B"}},
		{"acknowledged uncertified device stays uncertified", bob, verified(map[string]string{"A": "1", "B": ""}),
			[]peerDevice{dev("A", "1", event.IdentityVerified), dev("B", "2", event.IdentityUnverified)}, "", "", []string{"A", "B"}},
		{"own devices never lock", "alice@acme.test", verified(map[string]string{"A": "1"}), []peerDevice{dev("B", "2", event.IdentityUnverified)}, "", "", []string{"A"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := offlineIdentity(t)
			st := &s.ident
			st.loaded = true
			st.records = map[string]*identRecord{}
			if c.rec != nil {
				st.records[c.peer] = c.rec
			}
			var results []identity.Result
			for _, d := range c.devices {
				results = append(results, d.result)
			}
			p := &peerIdent{have: true, devices: c.devices, best: identity.Best(results)}
			st.mu.Lock()
			ch := s.detectChange(c.peer, p)
			st.mu.Unlock()
			got, gotDev := "", ""
			if ch != nil {
				got, gotDev = ch.Change, ch.DeviceID
				if ch.JID != c.peer || ch.Detail == "" {
					t.Errorf("change %+v", ch)
				}
				if r := st.records[c.peer]; r == nil || r.Lock == nil || r.Lock.Change != ch.Change {
					t.Errorf("the change is not recorded as a lock: %+v", r)
				}
			}
			if got != c.want || gotDev != c.device {
				t.Errorf("change %q device %q, want %q %q", got, gotDev, c.want, c.device)
			}
			r := st.records[c.peer]
			var known []string
			if r != nil {
				for _, id := range []string{"A", "B"} {
					if _, ok := r.Devices[id]; ok {
						known = append(known, id)
					}
				}
			}
			if len(known) != len(c.known) || (len(known) > 0 && known[0] != c.known[0]) || (len(known) > 1 && known[1] != c.known[1]) {
				t.Errorf("remembered devices %v, want %v", known, c.known)
			}
		})
	}
}

// TestAckIdentity: acknowledging a change accepts the devices seen with it
// (even when they were not fetched again in this session), so the same
// devices do not lock again; a lost identity, once acknowledged, stays
// acknowledged until it is verified again.
func TestAckIdentity(t *testing.T) {
	const bob = "bob@acme.test"
	for _, c := range []struct {
		name    string
		devices []peerDevice
		want    string
	}{
		{"new device", []peerDevice{dev("A", "1", event.IdentityVerified), dev("B", "2", event.IdentityUnverified)}, event.ChangeNewDevice},
		{"device replaced by an uncertified one", []peerDevice{dev("B", "2", event.IdentityUnverified)}, event.ChangeNewDevice},
		{"revoked", []peerDevice{dev("A", "1", event.IdentityRevoked)}, event.ChangeLost},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := offlineIdentity(t)
			st := &s.ident
			st.loaded = true
			st.records = map[string]*identRecord{bob: {Verified: true, Devices: map[string]string{"A": "1"}}}
			var results []identity.Result
			for _, d := range c.devices {
				results = append(results, d.result)
			}
			p := &peerIdent{have: true, devices: c.devices, best: identity.Best(results)}
			st.mu.Lock()
			ch := s.detectChange(bob, p)
			st.mu.Unlock()
			if ch == nil || ch.Change != c.want {
				t.Fatalf("change %+v, want %s", ch, c.want)
			}
			if l := s.identityLocked(bob); l == nil {
				t.Fatal("not locked")
			}
			s.ackIdentity(bob) // the devices were not fetched in this session
			if l := s.identityLocked(bob); l != nil {
				t.Fatalf("still locked: %+v", l)
			}
			st.mu.Lock()
			again := s.detectChange(bob, p)
			st.mu.Unlock()
			if again != nil {
				t.Errorf("the same devices lock again: %+v", again)
			}
			evs := takeEvents(s)
			found := false
			for _, e := range evs {
				if a, ok := e.(event.IdentityAcknowledged); ok && a.JID == bob {
					found = true
				}
			}
			if !found {
				t.Errorf("no IdentityAcknowledged: %v", evs)
			}
		})
	}
}

// TestDeviceItemDecoding: what a peer may publish, and what is refused.
func TestDeviceItemDecoding(t *testing.T) {
	long := make([]string, maxChainCerts+1)
	for i := range long {
		long[i] = "AAAA"
	}
	for _, c := range []struct {
		name string
		d    *deviceXML
		ok   bool
	}{
		{"no payload", nil, false},
		{"no certificate", &deviceXML{ID: "x"}, false},
		{"not base64", &deviceXML{ID: "x", Certs: []string{"%%%"}}, false},
		{"too many", &deviceXML{ID: "x", Certs: long}, false},
		{"too large", &deviceXML{ID: "x", Certs: []string{string(make([]byte, 2*maxCertBytes))}}, false},
		{"one with line breaks", &deviceXML{ID: "x", Certs: []string{"AAEC\nAwQF\n"}}, true},
	} {
		chain, err := c.d.chain()
		if (err == nil) != c.ok {
			t.Errorf("%s: chain %v, err %v", c.name, chain, err)
		}
	}
}

// TestUnknownSigningDevice: a verified peer's message signed by a device it
// never published locks sending once; after the acknowledgement, messages
// from that device no longer do.
func TestUnknownSigningDevice(t *testing.T) {
	const bob = "bob@acme.test"
	s := offlineIdentity(t)
	st := &s.ident
	st.loaded = true
	st.records = map[string]*identRecord{bob: {Verified: true, Devices: map[string]string{"A": "1"}}}
	p := st.peer(bob)
	p.have, p.devices = true, []peerDevice{dev("A", "1", event.IdentityVerified)}
	p.best = p.devices[0].result
	if ch := s.unknownDevice(bob, "A"); ch != nil {
		t.Errorf("a published device is not unknown: %+v", ch)
	}
	ch := s.unknownDevice(bob, "Z")
	if ch == nil || ch.Change != event.ChangeNewDevice || ch.DeviceID != "Z" {
		t.Fatalf("change %+v", ch)
	}
	if again := s.unknownDevice(bob, "Y"); again != nil {
		t.Errorf("a second change while locked: %+v", again)
	}
	s.ackIdentity(bob)
	if again := s.unknownDevice(bob, "Z"); again != nil {
		t.Errorf("the acknowledged device locks again: %+v", again)
	}
	if s.unknownDevice("carol@partner.test", "Z") != nil {
		t.Error("a peer never verified is locked")
	}
}

// TestOutboxIdentityChangedSince: a message queued before the peer's
// identity changed is not sent at reconnection but refused, like a new send.
func TestOutboxIdentityChangedSince(t *testing.T) {
	r := testRules()
	s := offlineSession(t, "", &r)
	s.execute(event.Send{To: "bob@acme.test", Body: "queued", ID: "q1"})
	queued(s)
	st := &s.ident
	st.mu.Lock()
	s.loadRecords()
	st.records["bob@acme.test"] = &identRecord{Verified: true, Lock: &identLock{Change: event.ChangeLost, Detail: "bob@acme.test's identity is no longer verified."}}
	st.mu.Unlock()
	s.mu.Lock()
	refused := s.outboxRefused(s.outbox.list()[0])
	left := len(s.outbox.list())
	s.mu.Unlock()
	ref := only[event.Refused](queued(s))
	if !refused || left != 0 || len(ref) != 1 || ref[0].ID != "q1" || ref[0].Code != event.RefusedIdentity || ref[0].Trust == nil || !ref[0].Trust.IdentityChanged {
		t.Errorf("refused %v, %d left, refusals %+v", refused, left, ref)
	}
}

// A private message in a room to an occupant whose identity changed (the
// room shows their address) is refused like a 1:1 message, until the user
// acknowledges the change; one whose address the room hides is not judged.
func TestRoomPrivateMessageIdentityLock(t *testing.T) {
	r := testRules()
	s := offlineSession(t, "", &r)
	rm := &room{jid: "team@conference.acme.test", nick: "alice", joined: true, occ: map[string]*event.Occupant{
		"bob":   {Nick: "bob", JID: "bob@acme.test", Trust: event.Trust{Class: event.ClassInternal}},
		"ghost": {Nick: "ghost", Trust: event.Trust{Class: event.ClassUnknown}},
	}}
	s.muc.mu.Lock()
	s.muc.rooms = map[string]*room{rm.jid: rm}
	s.muc.mu.Unlock()
	st := &s.ident
	st.mu.Lock()
	s.loadRecords()
	st.records["bob@acme.test"] = &identRecord{Verified: true, Lock: &identLock{Change: event.ChangeLost, Detail: "bob@acme.test's identity is no longer verified."}}
	st.mu.Unlock()

	s.execute(event.PrivateMessage{Room: rm.jid, Nick: "bob", Body: "the VPN file"})
	ref := only[event.Refused](queued(s))
	if len(ref) != 1 || ref[0].Code != event.RefusedIdentity || ref[0].To != "bob@acme.test" || ref[0].Trust == nil || !ref[0].Trust.IdentityChanged {
		t.Fatalf("refusals %+v, want one identity refusal for bob", ref)
	}
	s.execute(event.PrivateMessage{Room: rm.jid, Nick: "ghost", Body: "hello"})
	if ref := only[event.Refused](queued(s)); len(ref) != 0 {
		t.Errorf("a hidden occupant was refused: %+v", ref)
	}
	s.ackIdentity("bob@acme.test")
	queued(s)
	s.execute(event.PrivateMessage{Room: rm.jid, Nick: "bob", Body: "after the check"})
	if ref := only[event.Refused](queued(s)); len(ref) != 0 {
		t.Errorf("refused after the acknowledgement: %+v", ref)
	}
}
