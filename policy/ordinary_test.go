package policy

import "testing"

// ordinaryDomains are real, well-known domains unrelated to the approved
// domains of testRules. None of them may be flagged as a lookalike.
var ordinaryDomains = []string{
	// mail, chat and social
	"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com", "yahoo.co.jp",
	"aol.com", "icloud.com", "me.com", "mac.com", "protonmail.com", "proton.me", "gmx.de", "gmx.net",
	"web.de", "mail.ru", "yandex.ru", "zoho.com", "fastmail.com", "tutanota.com", "posteo.de",
	"mailbox.org", "jabber.org", "jabber.de", "jabber.ccc.de", "xmpp.jp", "conversations.im",
	"disroot.org", "riseup.net", "404.city", "blabber.im", "movim.eu", "snikket.org", "prosody.im",
	"ejabberd.im", "process-one.net", "matrix.org", "element.io", "signal.org", "telegram.org",
	"whatsapp.com", "facebook.com", "instagram.com", "twitter.com", "x.com", "linkedin.com",
	"reddit.com", "pinterest.com", "tumblr.com", "tiktok.com", "snapchat.com", "discord.com",
	"slack.com", "zoom.us", "skype.com", "teams.microsoft.com", "mastodon.social", "bsky.app",
	// technology
	"google.com", "google.co.uk", "google.de", "youtube.com", "microsoft.com", "office.com",
	"microsoftonline.com", "apple.com", "amazon.com", "amazon.co.uk", "amazon.de", "aws.amazon.com",
	"github.com", "gitlab.com", "bitbucket.org", "sourceforge.net", "stackoverflow.com",
	"stackexchange.com", "mozilla.org", "firefox.com", "debian.org", "ubuntu.com", "kernel.org",
	"golang.org", "go.dev", "python.org", "rust-lang.org", "nodejs.org", "npmjs.com", "pypi.org",
	"docker.com", "kubernetes.io", "cloudflare.com", "akamai.com", "fastly.com", "digitalocean.com",
	"heroku.com", "netlify.com", "vercel.com", "oracle.com", "ibm.com", "intel.com", "amd.com",
	"nvidia.com", "cisco.com", "dell.com", "hp.com", "lenovo.com", "samsung.com", "sony.com",
	"adobe.com", "salesforce.com", "atlassian.com", "dropbox.com", "box.com", "wetransfer.com",
	"zendesk.com", "shopify.com", "wordpress.com", "wordpress.org", "wikipedia.org", "wikimedia.org",
	"archive.org", "openai.com", "anthropic.com", "letsencrypt.org", "ietf.org", "w3.org",
	"xmpp.org", "apache.org", "gnu.org", "fsf.org", "eff.org", "torproject.org", "openssl.org",
	"duckduckgo.com", "bing.com", "baidu.com", "naver.com", "yandex.com", "ecosia.org",
	// news and media
	"bbc.co.uk", "bbc.com", "cnn.com", "nytimes.com", "theguardian.com", "washingtonpost.com",
	"reuters.com", "apnews.com", "bloomberg.com", "ft.com", "economist.com", "wsj.com",
	"lemonde.fr", "spiegel.de", "zeit.de", "faz.net", "elpais.com", "corriere.it", "nhk.or.jp",
	"abc.net.au", "cbc.ca", "aljazeera.com", "npr.org", "wired.com", "theverge.com", "arstechnica.com",
	"techcrunch.com", "forbes.com", "medium.com", "substack.com", "netflix.com", "spotify.com",
	"twitch.tv", "imdb.com", "vimeo.com", "soundcloud.com",
	// commerce, finance, travel
	"ebay.com", "ebay.co.uk", "paypal.com", "stripe.com", "visa.com", "mastercard.com",
	"americanexpress.com", "chase.com", "bankofamerica.com", "wellsfargo.com", "citi.com",
	"hsbc.co.uk", "barclays.co.uk", "lloydsbank.com", "ing.com", "db.com", "bnpparibas.com",
	"santander.com", "ubs.com", "revolut.com", "wise.com", "alibaba.com", "aliexpress.com",
	"walmart.com", "target.com", "ikea.com", "zalando.de", "etsy.com", "booking.com",
	"airbnb.com", "expedia.com", "tripadvisor.com", "uber.com", "lufthansa.com", "ryanair.com",
	"easyjet.com", "britishairways.com", "airfrance.fr", "sncf.com", "bahn.de", "dhl.com",
	"fedex.com", "ups.com", "usps.com", "royalmail.com", "laposte.fr",
	// government, education, health
	"gov.uk", "service.gov.uk", "usa.gov", "irs.gov", "nasa.gov", "nih.gov", "cdc.gov",
	"who.int", "un.org", "europa.eu", "bund.de", "gouv.fr", "admin.ch", "canada.ca",
	"gov.au", "mit.edu", "stanford.edu", "harvard.edu", "berkeley.edu", "ox.ac.uk",
	"cam.ac.uk", "ethz.ch", "tum.de", "sorbonne-universite.fr", "coursera.org", "edx.org",
	"khanacademy.org", "nature.com", "sciencedirect.com", "springer.com", "arxiv.org", "acm.org",
	"ieee.org", "nhs.uk", "mayoclinic.org", "webmd.com",
	// companies with short or common names
	"bmw.com", "vw.com", "ford.com", "toyota.com", "honda.com", "tesla.com", "siemens.com",
	"bosch.com", "sap.com", "nestle.com", "unilever.com", "pg.com", "ge.com", "3m.com",
	"shell.com", "bp.com", "total.com", "accenture.com", "deloitte.com", "pwc.com", "kpmg.com",
	"ey.com", "mckinsey.com", "bcg.com", "capgemini.com", "infosys.com", "tcs.com", "wipro.com",
	"nokia.com", "ericsson.com", "vodafone.com", "orange.com", "telekom.de", "bt.com", "att.com",
	"verizon.com", "t-mobile.com", "comcast.com", "acer.com", "asus.com", "lg.com", "philips.com",
	"panasonic.com", "canon.com", "nikon.com", "xerox.com", "okta.com", "auth0.com", "onelogin.com",
	"duo.com", "crowdstrike.com", "paloaltonetworks.com", "fortinet.com", "sophos.com",
	"kaspersky.com", "mcafee.com", "norton.com", "avast.com", "proofpoint.com", "mimecast.com",
}

func TestOrdinaryDomainsAreNotLookalikes(t *testing.T) {
	if len(ordinaryDomains) < 200 {
		t.Fatalf("only %d ordinary domains; the check needs at least 200", len(ordinaryDomains))
	}
	e := mustEngine(t, testRules())
	for _, d := range ordinaryDomains {
		for _, in := range []string{d, "someone@" + d, "someone@mail." + d} {
			v := e.Classify(in)
			if v.Class != Unknown {
				t.Errorf("Classify(%q) = %s (lookalike of %q, %v): %s; want unknown", in, v.Class, v.LookalikeOf, v.Techniques, v.Reason)
			}
		}
	}
}
