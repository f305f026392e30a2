// A receiver for the ticketing platform's webhooks: Go, net/http only.
// Run: WEBHOOK_SECRET=… go run webhook_receiver.go   (PORT defaults to 3000)
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

const toleranceSeconds = 300

var (
	secret    = []byte(os.Getenv("WEBHOOK_SECRET"))
	digits    = regexp.MustCompile(`^\d{1,12}$`)
	hexDigest = regexp.MustCompile(`^[0-9a-f]{64}$`)
	mu        sync.Mutex
	seen      = map[string]bool{} // event ids already handled: use your database in production
)

// verify is true when one s= of t=<unix>,s=<hex>[,s=<hex>…] is the HMAC of "<t>.<raw body>".
func verify(header string, body []byte) bool {
	parts := strings.Split(header, ",")
	t := ""
	for _, p := range parts {
		if strings.HasPrefix(p, "t=") {
			t = p[2:]
			break
		}
	}
	if !digits.MatchString(t) {
		return false
	}
	ts, _ := strconv.ParseInt(t, 10, 64)
	if math.Abs(float64(time.Now().Unix()-ts)) > toleranceSeconds {
		return false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(t + "."))
	mac.Write(body)
	expected := mac.Sum(nil)
	for _, p := range parts {
		if strings.HasPrefix(p, "s=") && hexDigest.MatchString(p[2:]) {
			given, _ := hex.DecodeString(p[2:])
			if hmac.Equal(given, expected) {
				return true
			}
		}
	}
	return false
}

func answer(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func webhooks(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		answer(w, 405, map[string]string{"error": "POST only"})
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20)) // the exact bytes
	if err != nil {
		answer(w, 413, map[string]string{"error": "too large"})
		return
	}
	if !verify(r.Header.Get("X-Signature"), raw) { // verify before parsing
		answer(w, 401, map[string]string{"error": "bad signature"})
		return
	}
	var event struct {
		EventID   string `json:"event_id"`
		EventType string `json:"event_type"`
	}
	if err := json.Unmarshal(raw, &event); err != nil {
		answer(w, 400, map[string]string{"error": "invalid JSON"})
		return
	}
	answer(w, 200, map[string]bool{"ok": true}) // answer first, work afterwards
	mu.Lock()
	again := seen[event.EventID] // a retry of an event already handled
	seen[event.EventID] = true
	mu.Unlock()
	if !again {
		go handle(event.EventType, raw)
	}
}

func handle(eventType string, raw []byte) {
	// Your work here: eventType is whitelabel-ticket-created, -updated, -assigned or -resolved.
	fmt.Println(eventType, len(raw))
}

func main() {
	if len(secret) == 0 {
		log.Fatal("WEBHOOK_SECRET is not set: set it to your endpoint's secret")
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "3000"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on http://%s/webhooks\n", ln.Addr())
	http.HandleFunc("/webhooks", webhooks)
	log.Fatal(http.Serve(ln, nil))
}
