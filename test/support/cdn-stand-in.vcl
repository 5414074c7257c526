vcl 4.1;
backend origin { .host = "127.0.0.1"; .port = "@ORIGIN_PORT@"; }
acl purgers { "127.0.0.1"; }
sub vcl_recv {
  if (req.method == "BAN") {
    if (!client.ip ~ purgers) { return (synth(405, "Not allowed")); }
    ban("obj.http.x-url ~ " + req.http.x-ban-pattern);
    return (synth(200, "Banned"));
  }
  if (req.method != "GET" && req.method != "HEAD") { return (pass); }
  return (hash);
}
sub vcl_backend_response {
  # Keep the URL on the object so that bans match it (ban lurker friendly).
  set beresp.http.x-url = bereq.url;
}
sub vcl_deliver {
  unset resp.http.x-url;
  if (obj.hits > 0) { set resp.http.x-cache = "HIT"; } else { set resp.http.x-cache = "MISS"; }
}
