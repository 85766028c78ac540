"""What a production shop must set besides its secrets to start (issue 12: no sandbox payments,
no Midtrans sandbox, a public https SITE_URL). Shared by the tests that start one."""

REAL_PAYMENTS = {
    "SITE_URL": "https://shop.example.com",
    "PAYMENT_PROVIDERS": "midtrans",
    "MIDTRANS_SERVER_KEY": "Mid-server-not-a-real-key",
    "MIDTRANS_IS_PRODUCTION": "true",
}
