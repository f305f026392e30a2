<?php
// A receiver for the ticketing platform's webhooks: PHP, no framework.
// Run: WEBHOOK_SECRET=… php -S 127.0.0.1:3000 webhook-receiver.php   (the port is php -S's)
const TOLERANCE_SECONDS = 300;

/** True when one s= of t=<unix>,s=<hex>[,s=<hex>…] is the HMAC of "<t>.<raw body>". */
function verify(string $header, string $rawBody, string $secret): bool
{
    $parts = explode(',', $header);
    $t = '';
    foreach ($parts as $p) {
        if (str_starts_with($p, 't=')) { $t = substr($p, 2); break; }
    }
    if (!preg_match('/^\d{1,12}$/', $t) || abs(time() - (int) $t) > TOLERANCE_SECONDS) {
        return false;
    }
    $expected = hash_hmac('sha256', $t . '.' . $rawBody, $secret);
    foreach ($parts as $p) {
        $s = substr($p, 2);
        if (str_starts_with($p, 's=') && preg_match('/^[0-9a-f]{64}$/', $s) && hash_equals($expected, $s)) {
            return true;
        }
    }
    return false;
}

function answer(int $status, array $body): void
{
    http_response_code($status);
    header('Content-Type: application/json');
    echo json_encode($body);
}

if ($_SERVER['REQUEST_METHOD'] !== 'POST' || parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) !== '/webhooks') {
    answer(404, ['error' => 'not found']);
    return;
}
$secret = getenv('WEBHOOK_SECRET') ?: '';
if ($secret === '') {
    error_log("WEBHOOK_SECRET is not set: set it to your endpoint's secret");
    answer(500, ['error' => 'WEBHOOK_SECRET is not set']);
    return;
}
$raw = file_get_contents('php://input'); // the exact bytes: verify before parsing
if (!verify($_SERVER['HTTP_X_SIGNATURE'] ?? '', $raw, $secret)) {
    answer(401, ['error' => 'bad signature']);
    return;
}
$event = json_decode($raw, true);
if (!is_array($event)) {
    answer(400, ['error' => 'invalid JSON']);
    return;
}
// A retry of an event already handled is answered 200 and not handled again (a file here: use
// your database in production).
$seen = sys_get_temp_dir() . '/webhook-seen-' . md5($event['event_id'] ?? '');
$again = !@mkdir($seen);
answer(200, ['ok' => true]); // answer first, work afterwards
if (function_exists('fastcgi_finish_request')) fastcgi_finish_request();
if (!$again) {
    // Your work here: $event['event_type'] is whitelabel-ticket-created, -updated, -assigned or -resolved.
    error_log($event['event_type'] . ' ' . ($event['data']['ticket']['id'] ?? ''));
}
