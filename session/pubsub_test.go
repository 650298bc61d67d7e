package session

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"strings"
	"testing"
	"unicode/utf8"
)

const testJWS = "eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIn0..c2lnbmF0dXJl"

func signedXMLText(kind, data, jws string) string {
	var b strings.Builder
	b.WriteString(`<signed xmlns="urn:palisade:signed:1"`)
	if kind != "" {
		b.WriteString(` kind="` + kind + `"`)
	}
	b.WriteString(`>`)
	if data != "-" {
		b.WriteString(`<data>` + data + `</data>`)
	}
	if jws != "-" {
		b.WriteString(`<jws>` + jws + `</jws>`)
	}
	b.WriteString(`</signed>`)
	return b.String()
}

func TestDecodeSigned(t *testing.T) {
	doc := []byte(`{"format":"palisade-profile/1","serial":2}`)
	b64 := base64.StdEncoding.EncodeToString(doc)
	for _, tc := range []struct {
		name    string
		in      string
		want    []byte
		wantErr string
	}{
		{"profile", signedXMLText("profile", b64, testJWS), doc, ""},
		{"bulletin", signedXMLText("bulletin", b64, testJWS), doc, ""},
		{"wrapped base64", signedXMLText("profile", b64[:10]+"\n  "+b64[10:], "\n"+testJWS+"\n"), doc, ""},
		{"malformed base64", signedXMLText("profile", "not*base64!", testJWS), nil, "not valid base64"},
		{"truncated base64", signedXMLText("profile", b64[:len(b64)-1], testJWS), nil, "not valid base64"},
		{"missing data", signedXMLText("profile", "-", testJWS), nil, "no data"},
		{"empty data", signedXMLText("profile", "", testJWS), nil, "no data"},
		{"missing jws", signedXMLText("profile", b64, "-"), nil, "no signature"},
		{"empty jws", signedXMLText("profile", b64, " "), nil, "no signature"},
		{"jws not compact", signedXMLText("profile", b64, "abc"), nil, "not a compact JWS"},
		{"wrong kind", signedXMLText("policy", b64, testJWS), nil, `unknown kind "policy"`},
		{"no kind", signedXMLText("", b64, testJWS), nil, "names no kind"},
		{"wrong namespace", `<signed xmlns="urn:other" kind="profile"><data>` + b64 + `</data><jws>` + testJWS + `</jws></signed>`, nil, "not <signed"},
		{"wrong element", `<other xmlns="urn:palisade:signed:1" kind="profile"/>`, nil, "not <signed"},
		{"not XML", `<signed`, nil, "not XML"},
		{"empty", ``, nil, "not XML"},
		{"too large", signedXMLText("profile", strings.Repeat("A", 2*maxSignedData), testJWS), nil, "larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeSigned([]byte(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				if !strings.HasPrefix(err.Error(), "malformed PubSub item: ") {
					t.Errorf("error %q does not say what was malformed", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Data, tc.want) || got.JWS != testJWS {
				t.Errorf("got %q %q", got.Data, got.JWS)
			}
		})
	}
}

// The payload as encoded for publishing decodes to the same document, both
// on its own and inside a notification decoded as a stanza.
func TestSignedRoundTrip(t *testing.T) {
	for _, d := range []Signed{
		{Kind: KindProfile, Data: []byte("{\"a\":\"<&>\"}\n"), JWS: testJWS},
		{Kind: KindBulletin, Data: bytes.Repeat([]byte{0, 255, '\n'}, 1000), JWS: testJWS},
	} {
		got, err := decodeSigned([]byte(d.element().String()))
		if err != nil || got.Kind != d.Kind || !bytes.Equal(got.Data, d.Data) || got.JWS != d.JWS {
			t.Errorf("round trip of %s: %+v, %v", d.Kind, got, err)
		}
		msg := elem(nsClient, "message", "from", "pubsub.acme.test", "to", "alice@acme.test").add(
			elem(nsPubSubEvent, "event").add(elem("", "items", "node", DefaultProfileNode).add(
				elem("", "item", "id", "i1").add(d.element()))))
		var st inStanza
		if err := xml.Unmarshal([]byte(msg.String()), &st); err != nil {
			t.Fatal(err)
		}
		if st.PubSubEvent == nil || st.PubSubEvent.Items == nil || st.PubSubEvent.Items.Node != DefaultProfileNode || len(st.PubSubEvent.Items.Items) != 1 {
			t.Fatalf("notification decoded as %+v", st.PubSubEvent)
		}
		got, err = st.PubSubEvent.Items.Items[0].Signed.decode()
		if err != nil || !bytes.Equal(got.Data, d.Data) {
			t.Errorf("from the stanza: %+v, %v", got, err)
		}
	}
}

// An item without a <signed/> payload (or with another element) is refused,
// not a crash.
func TestItemWithoutPayload(t *testing.T) {
	var st inStanza
	in := `<message xmlns="jabber:client" from="pubsub.acme.test"><event xmlns="http://jabber.org/protocol/pubsub#event">` +
		`<items node="n"><item id="1"><other xmlns="urn:x"/></item><item id="2"/></items></event></message>`
	if err := xml.Unmarshal([]byte(in), &st); err != nil {
		t.Fatal(err)
	}
	for _, it := range st.PubSubEvent.Items.Items {
		if _, err := it.Signed.decode(); err == nil || !strings.Contains(err.Error(), "no <signed") {
			t.Errorf("item %s: %v", it.ID, err)
		}
	}
}

func TestPubSubRequests(t *testing.T) {
	for _, tc := range []struct {
		name string
		e    *el
		want []string
	}{
		{"subscribe", subscribeIQ("s1", "pubsub.acme.test", DefaultProfileNode, "alice@acme.test"),
			[]string{`type="set"`, `to="pubsub.acme.test"`, `<pubsub xmlns="http://jabber.org/protocol/pubsub"><subscribe node="urn:palisade:profile:1" jid="alice@acme.test">`}},
		{"items", itemsIQ("i1", "pubsub.acme.test", DefaultBulletinNode, 1),
			[]string{`type="get"`, `<items node="urn:palisade:bulletins:1" max_items="1">`}},
		{"create", createIQ("c1", "pubsub.acme.test", "n", 1),
			[]string{`<create node="n">`, `<x xmlns="jabber:x:data" type="submit">`, `<value>http://jabber.org/protocol/pubsub#node_config</value>`,
				`<field var="pubsub#access_model"><value>open</value>`, `<field var="pubsub#max_items"><value>1</value>`}},
		{"publish", publishIQ("p1", "pubsub.acme.test", "n", "item1", Signed{Kind: KindProfile, Data: []byte("x"), JWS: testJWS}),
			[]string{`<publish node="n"><item id="item1"><signed xmlns="urn:palisade:signed:1" kind="profile"><data>eA==</data><jws>` + testJWS + `</jws>`}},
	} {
		got := tc.e.String()
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %s lacks %s", tc.name, got, w)
			}
		}
	}
}

func TestSameJID(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		want     bool
	}{
		{"pubsub.acme.test", "pubsub.acme.test", true},
		{"PubSub.Acme.Test", "pubsub.acme.test", true},
		{"", "pubsub.acme.test", false},
		{"", "", false},
		{"mallory@evil.test", "pubsub.acme.test", false},
		{"pubsub.acme.test/x", "pubsub.acme.test", false},
		{"alice@acme.test", "pubsub.acme.test", false},
		{"pubsub.acme.test.evil.test", "pubsub.acme.test", false},
	} {
		if got := sameJID(tc.from, tc.to); got != tc.want {
			t.Errorf("sameJID(%q, %q) = %v", tc.from, tc.to, got)
		}
	}
}

// FuzzDecodeSigned: no input crashes the decoder, and whatever it accepts
// encodes and decodes again to the same document.
func FuzzDecodeSigned(f *testing.F) {
	b64 := base64.StdEncoding.EncodeToString([]byte(`{"format":"palisade-bulletin/1"}`))
	for _, s := range []string{
		signedXMLText("profile", b64, testJWS),
		signedXMLText("bulletin", b64, testJWS),
		signedXMLText("profile", "!!", testJWS),
		signedXMLText("x", b64, "-"),
		`<signed xmlns="urn:palisade:signed:1" kind="profile"><data>` + b64 + `<data>`,
		`<?xml version="1.0"?><signed xmlns="urn:palisade:signed:1" kind="bulletin"><data><![CDATA[` + b64 + `]]></data><jws>a.b.c</jws></signed>`,
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		d, err := decodeSigned(in)
		if err != nil {
			if d.Data != nil || d.JWS != "" {
				t.Fatalf("error %v with a document %+v", err, d)
			}
			return
		}
		if d.Kind != KindProfile && d.Kind != KindBulletin || d.JWS == "" || len(d.Data) == 0 {
			t.Fatalf("accepted %+v", d)
		}
		if !utf8.ValidString(d.JWS) {
			return // not encodable as XML text unchanged
		}
		again, err := decodeSigned([]byte(d.element().String()))
		if err != nil || again.Kind != d.Kind || !bytes.Equal(again.Data, d.Data) || again.JWS != d.JWS {
			t.Fatalf("re-encoded %+v decodes as %+v, %v", d, again, err)
		}
	})
}
