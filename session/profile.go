package session

import (
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
	"github.com/palisade-im/palisade/profile"
)

// The session's share of configuration profiles: it reports the profile in
// force, takes profiles and bulletins pushed by IT over PubSub and applies
// them at once (rules, trust, server CAs), and carries out the profile
// commands. Package profile verifies and keeps them.

// A node that does not exist yet is subscribed to again after
// subscribeRetry, then twice as long each time, up to subscribeRetryMax.
const (
	subscribeRetry    = time.Minute
	subscribeRetryMax = time.Hour
)

// maxSeenItems bounds the set of items already handled in this session.
const maxSeenItems = 256

// profileState tracks the PubSub subscriptions of the current stream.
type profileState struct {
	ignored atomic.Int64  // notifications and answers not from the service, ignored
	retry   time.Duration // first delay before subscribing again to a missing node; 0 = subscribeRetry

	mu      sync.Mutex
	stream  string              // full JID of the stream the subscriptions were made on (kept when it is resumed)
	service string              // the PubSub service subscribed to
	nodes   map[string]string   // node -> kind, subscribed on stream
	seen    map[[32]byte]bool   // bulletin items already handled (pushed or fetched)
	last    map[string][32]byte // node -> the last profile item handled from it
}

// pubsubTarget is where IT publishes, per the profile in force.
type pubsubTarget struct {
	service, profileNode, bulletinNode string
	managed                            bool // named by a profile (failures are worth reporting)
}

// target returns the PubSub service and nodes of the profile in force, or
// the defaults on the account's own domain.
func (s *Session) target() pubsubTarget {
	t := pubsubTarget{
		service:      "pubsub." + s.bare.Domainpart(),
		profileNode:  DefaultProfileNode,
		bulletinNode: DefaultBulletinNode,
	}
	if s.cfg.Profiles == nil {
		return t
	}
	p := s.cfg.Profiles.Active()
	if p == nil {
		return t
	}
	t.managed = true
	// Parse fills in the defaults of the it section.
	if p.IT.PubSubService != "" {
		t.service = p.IT.PubSubService
	}
	if p.IT.ProfileNode != "" {
		t.profileNode = p.IT.ProfileNode
	}
	if p.IT.BulletinNode != "" {
		t.bulletinNode = p.IT.BulletinNode
	}
	return t
}

// profileStart reports the profile in force and puts its rules in force.
func (s *Session) profileStart() {
	m := s.cfg.Profiles
	if m == nil {
		s.emit(unmanaged())
		return
	}
	if p := m.Active(); p != nil {
		s.setRules(p.Rules())
	}
	s.emit(m.Summary())
}

// profileSignedIn subscribes to IT's nodes and fetches their latest items.
// It runs once per new stream (a resumed stream keeps its subscriptions and
// its pending answers). s.mu is held.
func (s *Session) profileSignedIn(c *conn) error {
	if s.cfg.Profiles == nil {
		return nil
	}
	return s.subscribeIT(c, s.target())
}

// subscribeIT subscribes the bare JID to the profile and bulletin nodes of t
// and asks for their latest items. s.mu is held.
func (s *Session) subscribeIT(c *conn, t pubsubTarget) error {
	ps := &s.prof
	ps.mu.Lock()
	ps.stream, ps.service = c.jid.String(), t.service
	ps.nodes = map[string]string{t.profileNode: KindProfile, t.bulletinNode: KindBulletin}
	ps.mu.Unlock()
	if err := s.subscribeNode(c, t, t.profileNode, KindProfile, 0); err != nil {
		return err
	}
	return s.subscribeNode(c, t, t.bulletinNode, KindBulletin, 0)
}

// subscribeNode subscribes to one node and fetches its latest items. A node
// that does not exist yet (IT has not published there) is tried again later
// on the same stream, waiting longer each time. s.mu is held.
func (s *Session) subscribeNode(c *conn, t pubsubTarget, node, kind string, tries int) error {
	ps := &s.prof
	err := s.sendIQTo(c, t.service, subscribeIQ(randomID(), t.service, node, s.bare.String()), func(st *inStanza) {
		if st.Type == "result" {
			return
		}
		if cond := (&pubsubReply{Error: st.Error}).condition(); cond == "item-not-found" {
			s.retrySubscribe(c, t, node, kind, tries+1)
			return
		}
		ps.mu.Lock()
		if ps.stream == c.jid.String() && ps.service == t.service {
			delete(ps.nodes, node)
		}
		ps.mu.Unlock()
		if t.managed {
			args := l10n.Args{"Service": t.service, "Node": node, "Err": st.Error.String()}
			msg := s.lang.T("Live profile updates from IT are not available: {{.Service}} refused the subscription to {{.Node}}: {{.Err}}. Updates arrive at the next sign-in instead.", args)
			if kind == KindBulletin {
				msg = s.lang.T("Live bulletin updates from IT are not available: {{.Service}} refused the subscription to {{.Node}}: {{.Err}}. Updates arrive at the next sign-in instead.", args)
			}
			s.emit(event.Error{Message: msg, Code: event.CodeProtocol})
		}
	})
	if err != nil {
		return err
	}
	max := 1
	if kind == KindBulletin {
		max = 20
	}
	return s.sendIQTo(c, t.service, itemsIQ(randomID(), t.service, node, max), func(st *inStanza) {
		if st.Type != "result" || st.PubSub == nil || st.PubSub.Items == nil {
			return
		}
		if !s.subscribedTo(c, t.service, st.PubSub.Items.Node, node) {
			return
		}
		s.onSignedItems(node, kind, st.PubSub.Items.Items)
	})
}

// retrySubscribe subscribes to a node again after a while, as long as the
// stream and the target are still the current ones.
func (s *Session) retrySubscribe(c *conn, t pubsubTarget, node, kind string, tries int) {
	d := s.prof.retry
	if d <= 0 {
		d = subscribeRetry
	}
	for i := 1; i < tries && d < subscribeRetryMax; i++ {
		d *= 2
	}
	d = min(d, subscribeRetryMax)
	time.AfterFunc(d, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		cur := s.cur // the same stream, possibly resumed on another connection
		ps := &s.prof
		ps.mu.Lock()
		current := cur != nil && ps.stream == cur.jid.String() && ps.service == t.service && ps.nodes[node] == kind
		ps.mu.Unlock()
		if current {
			s.subscribeNode(cur, t, node, kind, tries)
		}
	})
}

// subscribedTo reports whether node (as named in an answer, "" meaning the
// one asked for) is one of the nodes subscribed on c at service.
func (s *Session) subscribedTo(c *conn, service, named, asked string) bool {
	if named != "" && named != asked {
		return false
	}
	ps := &s.prof
	ps.mu.Lock()
	defer ps.mu.Unlock()
	_, ok := ps.nodes[asked]
	return ps.stream == c.jid.String() && ps.service == service && ok
}

// onPubSubEvent handles a notification. It reports false (not handled)
// when the message is not from the service subscribed to or not for one of
// its nodes: such a message is ignored as far as profiles go.
func (s *Session) onPubSubEvent(c *conn, st *inStanza) bool {
	if s.onDeviceEvent(c, st) {
		return true // a peer's devices changed (identity.go)
	}
	if s.cfg.Profiles == nil || st.PubSubEvent == nil || st.PubSubEvent.Items == nil {
		return false
	}
	node := st.PubSubEvent.Items.Node
	ps := &s.prof
	ps.mu.Lock()
	kind, ok := ps.nodes[node]
	ok = ok && ps.stream == c.jid.String() && sameJID(st.From, ps.service)
	ps.mu.Unlock()
	if !ok {
		s.prof.ignored.Add(1)
		return false
	}
	s.onSignedItems(node, kind, st.PubSubEvent.Items.Items)
	return true
}

// onSignedItems applies items from the service's node (pushed or fetched),
// each at most once per session.
func (s *Session) onSignedItems(node, kind string, items []pubsubItem) {
	for _, it := range items {
		doc, err := it.Signed.decode()
		if err == nil && doc.Kind != kind {
			err = errPayload("a " + doc.Kind + " on the " + kind + " node " + node)
		}
		if !s.firstSight(node, kind, it, doc, err) {
			continue
		}
		if err != nil {
			if kind == KindProfile {
				s.emit(event.ProfileRefused{Source: "push", Code: event.ProfileMalformed, Reason: payloadReason(s.lang, err)})
			} else {
				s.emit(event.Error{Message: s.bulletinRefused(err), Code: event.CodeProtocol})
			}
			continue
		}
		if kind == KindProfile {
			s.applyProfile(doc.Data, doc.JWS)
		} else {
			s.applyBulletin(doc.Data, doc.JWS)
		}
	}
}

// firstSight records an item and reports whether it is news: a profile
// other than the last one handled from its node (so that a replayed older
// profile is refused again, but the same item fetched again after a
// reconnection, or sent again on subscription, is not reported twice), or a
// bulletin not handled yet in this session.
func (s *Session) firstSight(node, kind string, it pubsubItem, doc Signed, err error) bool {
	h := sha256.New()
	if err != nil {
		h.Write([]byte(it.ID + "\x00" + err.Error()))
	} else {
		h.Write([]byte(doc.Kind + "\x00" + doc.JWS + "\x00"))
		h.Write(doc.Data)
	}
	var k [32]byte
	copy(k[:], h.Sum(nil))
	ps := &s.prof
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if kind == KindProfile {
		if ps.last == nil {
			ps.last = map[string][32]byte{}
		}
		if ps.last[node] == k {
			return false
		}
		ps.last[node] = k
		return true
	}
	if ps.seen[k] {
		return false
	}
	if ps.seen == nil || len(ps.seen) >= maxSeenItems {
		ps.seen = map[[32]byte]bool{}
	}
	ps.seen[k] = true
	return true
}

// bulletinRefused is the message of a refused bulletin, in the user's
// language.
func (s *Session) bulletinRefused(err error) string {
	return s.lang.T("A security bulletin from IT was refused: {{.Reason}}", l10n.Args{"Reason": profile.ReasonIn(s.lang, err)})
}

// refusal turns a profile error into its event, its reason in lang.
func refusal(lang l10n.Lang, source string, data []byte, err error) event.ProfileRefused {
	ev := event.ProfileRefused{Source: source, Code: event.ProfileUnreadable, Reason: profile.ReasonIn(lang, err)}
	var pe *profile.Error
	if errors.As(err, &pe) {
		ev.Code = pe.Code
	}
	if data != nil {
		if p, perr := profile.Parse(data); perr == nil && p != nil {
			ev.ID, ev.Serial = p.ID, p.Serial
		}
	}
	return ev
}

// applyProfile applies a pushed profile: a newer one is put in force at
// once, a refused one is reported, the same one again changes nothing.
func (s *Session) applyProfile(data []byte, jws string) {
	m := s.cfg.Profiles
	res, err := m.Apply(data, jws, "push")
	if err != nil {
		s.emit(refusal(s.lang, "push", data, err))
		return
	}
	s.profileApplied(res)
}

// profileApplied puts a newly applied profile in force and reports it.
func (s *Session) profileApplied(res profile.Result) {
	if res.Unchanged || res.Profile == nil {
		return
	}
	s.setRules(res.Profile.Rules())
	defer s.enrolProfileChanged() // after the profile event (enrol.go)
	ev := s.cfg.Profiles.Summary()
	ev.Changes = res.ChangesIn(s.lang)
	if res.Source != "" {
		ev.Source = res.Source
	}
	s.emit(ev)
	// The profile may name another service or other nodes.
	t := s.target()
	s.mu.Lock()
	c := s.cur
	ps := &s.prof
	ps.mu.Lock()
	moved := c != nil && (ps.stream != c.jid.String() || ps.service != t.service || ps.nodes[t.profileNode] != KindProfile || ps.nodes[t.bulletinNode] != KindBulletin)
	ps.mu.Unlock()
	if moved {
		s.subscribeIT(c, t)
	}
	s.mu.Unlock()
}

// applyBulletin keeps a bulletin and reports it when it is new.
func (s *Session) applyBulletin(data []byte, jws string) {
	b, isNew, err := s.cfg.Profiles.ApplyBulletin(data, jws)
	if err != nil {
		s.emit(event.Error{Message: s.bulletinRefused(err), Code: event.CodeProtocol})
		return
	}
	if isNew {
		s.emit(b)
	}
}

// executeProfile carries out the profile and bulletin commands. It reports
// false for any other command.
func (s *Session) executeProfile(cmd event.Command) bool {
	switch c := cmd.(type) {
	case *event.ImportProfile:
		return s.executeProfile(*c)
	case *event.GetProfile:
		return s.executeProfile(*c)
	case *event.GetBulletins:
		return s.executeProfile(*c)
	case *event.DismissBulletin:
		return s.executeProfile(*c)
	case event.ImportProfile, event.GetProfile, event.GetBulletins, event.DismissBulletin:
	default:
		return false
	}
	m := s.cfg.Profiles
	switch c := cmd.(type) {
	case event.GetProfile:
		if m == nil {
			s.emit(unmanaged())
		} else {
			s.emit(m.Summary())
		}
	case event.GetBulletins:
		items := []event.Bulletin{}
		if m != nil {
			items = append(items, m.Bulletins()...)
		}
		s.emit(event.Bulletins{Items: items})
	case event.ImportProfile:
		if m == nil {
			s.emit(event.Error{Message: s.lang.T("This client keeps no configuration profiles, so none can be imported."), Code: event.CodeUnsupported, Command: c.CommandName()})
			return true
		}
		if c.Path == "" {
			s.badCommand(c, s.lang.T("No profile file given: set path to the profile (its signature is read from path.jws unless sig is given)."))
			return true
		}
		sig := c.Sig
		if sig == "" {
			sig = c.Path + ".jws"
		}
		res, err := m.ImportFile(c.Path, sig)
		if err != nil {
			s.emit(refusal(s.lang, "import", nil, err))
			return true
		}
		if res.Unchanged || res.Profile == nil {
			s.emit(m.Summary())
			return true
		}
		s.profileApplied(res)
	case event.DismissBulletin:
		if m == nil {
			s.badCommand(c, s.lang.T("There is no bulletin {{.ID}}.", l10n.Args{"ID": c.ID}))
			return true
		}
		if err := m.Dismiss(c.ID); err != nil {
			s.badCommand(c, profile.ReasonIn(s.lang, err))
			return true
		}
		s.emit(event.Bulletins{Items: append([]event.Bulletin{}, m.Bulletins()...)})
	}
	return true
}

// verifyServer checks the server's certificate chain against the system
// roots and Config.CAFile and, failing that, against the server CAs named
// by the profile in force.
func (s *Session) verifyServer(cs tls.ConnectionState) error {
	domain := s.bare.Domainpart()
	if pinned, err := s.verifyPinned(cs); pinned {
		return err // trusted_cas.pin_server: only the profile's server CAs (signature.go)
	}
	err := verifyChain(cs, s.roots, domain)
	if err == nil || s.cfg.Profiles == nil {
		return err
	}
	p := s.cfg.Profiles.Active()
	if p == nil {
		return err
	}
	pool, perr := p.ServerCAs()
	if perr != nil || pool == nil {
		return err
	}
	if verifyChain(cs, pool, domain) == nil {
		return nil
	}
	return err
}

// unmanaged is the profile event when the client keeps no profiles.
func unmanaged() event.Profile {
	return event.Profile{Managed: false, Settings: profile.UnmanagedSettings()}
}
