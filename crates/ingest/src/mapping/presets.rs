//! Built-in mappings for the JSON access logs of common proxies and gateways.

use super::{Field, FieldMapping};

/// Names of the presets.
pub(super) const NAMES: &[&str] = &["caddy", "traefik", "envoy", "kong", "aws-apigw"];

fn f(key: &str) -> Option<Field> {
    Some(Field {
        key: key.into(),
        format: None,
    })
}

fn ff(key: &str, format: &str) -> Option<Field> {
    Some(Field {
        key: key.into(),
        format: Some(format.into()),
    })
}

pub(super) fn preset(name: &str) -> Option<FieldMapping> {
    let m = match name.to_ascii_lowercase().as_str() {
        // Caddy 2 `log` directive, JSON encoder (http.log.access): `ts` in unix seconds,
        // `request.{remote_ip,method,host,uri,headers}`, `status`, `size`, `duration` (s).
        "caddy" => FieldMapping {
            name: "caddy".into(),
            time: ff("ts", "unix_s"),
            client: f("request.remote_ip"),
            method: f("request.method"),
            host: f("request.host"),
            path: ff("request.uri", "path_and_query"),
            status: f("status"),
            response_size: f("size"),
            duration: ff("duration", "s"),
            request_headers: f("request.headers"),
            response_headers: f("resp_headers"),
            ..FieldMapping::default()
        },
        // Traefik access log, `format: json`: `StartUTC`, `ClientHost`, `RequestMethod`,
        // `RequestHost`, `RequestPath` (with query), `DownstreamStatus`,
        // `DownstreamContentSize`, `Duration` (ns), headers kept as `request_<Name>`.
        "traefik" => FieldMapping {
            name: "traefik".into(),
            time: f("StartUTC"),
            client: f("ClientHost"),
            method: f("RequestMethod"),
            host: f("RequestHost"),
            path: ff("RequestPath", "path_and_query"),
            status: f("DownstreamStatus"),
            response_size: f("DownstreamContentSize"),
            duration: ff("Duration", "ns"),
            request_header_prefix: Some("request_".into()),
            ..FieldMapping::default()
        },
        // Envoy access log with `json_format` using the default format's operators:
        // `start_time`, `method`, `path`, `response_code`, `bytes_received`, `bytes_sent`,
        // `duration` (ms), `authority`, `downstream_remote_address` (ip:port), `user_agent`,
        // `x_forwarded_for`.
        "envoy" => FieldMapping {
            name: "envoy".into(),
            time: f("start_time"),
            client: ff("downstream_remote_address", "ip_port"),
            method: f("method"),
            host: f("authority"),
            path: ff("path", "path_and_query"),
            status: f("response_code"),
            response_size: f("bytes_sent"),
            request_size: f("bytes_received"),
            duration: ff("duration", "ms"),
            user_agent: f("user_agent"),
            headers: [("x-forwarded-for".to_owned(), "x_forwarded_for".to_owned())]
                .into_iter()
                .collect(),
            ..FieldMapping::default()
        },
        // Kong `file-log` / `http-log` plugin: `started_at` (ms), `client_ip`,
        // `request.{method,uri,headers,size}`, `response.{status,size,headers}`,
        // `latencies.request` (ms).
        "kong" => FieldMapping {
            name: "kong".into(),
            time: ff("started_at", "unix_ms"),
            client: f("client_ip"),
            method: f("request.method"),
            path: ff("request.uri", "path_and_query"),
            status: f("response.status"),
            response_size: f("response.size"),
            request_size: f("request.size"),
            duration: ff("latencies.request", "ms"),
            request_headers: f("request.headers"),
            response_headers: f("response.headers"),
            ..FieldMapping::default()
        },
        // AWS API Gateway access logging in JSON with the documented `$context` variables:
        // `requestTimeEpoch` (ms), `ip`, `httpMethod`, `path`, `status`, `responseLength`,
        // `userAgent`, `domainName`, `responseLatency` (ms).
        "aws-apigw" | "apigw" | "api-gateway" => FieldMapping {
            name: "aws-apigw".into(),
            time: ff("requestTimeEpoch", "unix_ms"),
            client: f("ip"),
            method: f("httpMethod"),
            host: f("domainName"),
            path: f("path"),
            status: f("status"),
            response_size: f("responseLength"),
            duration: ff("responseLatency", "ms"),
            user_agent: f("userAgent"),
            ..FieldMapping::default()
        },
        _ => return None,
    };
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn caddy() {
        let line = br#"{"level":"info","ts":1714557600.123,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"203.0.113.9","remote_port":"51234","proto":"HTTP/2.0","method":"GET","host":"api.example.com","uri":"/v1/users/42?x=1","headers":{"User-Agent":["curl/8.4.0"],"Authorization":["REDACTED"]}},"bytes_read":0,"user_id":"","duration":0.0042,"size":512,"status":200,"resp_headers":{"Content-Type":["application/json"]}}"#;
        let ex = preset("caddy").unwrap().parse(line).unwrap();
        assert_eq!(ex.time.as_unix_millis(), 1_714_557_600_123);
        assert_eq!(ex.client, Some("203.0.113.9".parse().unwrap()));
        assert_eq!(
            (ex.method.as_str(), ex.path.as_str()),
            ("GET", "/v1/users/42")
        );
        assert_eq!(ex.query.as_deref(), Some("x=1"));
        assert_eq!(ex.user_agent(), Some("curl/8.4.0"));
        assert_eq!(ex.status, Some(200));
        assert!((ex.duration_ms.unwrap() - 4.2).abs() < 1e-9);
        assert_eq!(
            ex.response_headers.get("content-type"),
            Some("application/json")
        );
    }

    #[test]
    fn traefik() {
        let line = br#"{"ClientAddr":"10.0.0.5:40000","ClientHost":"10.0.0.5","DownstreamContentSize":27,"DownstreamStatus":404,"Duration":1500000,"RequestHost":"shop.example.com","RequestMethod":"POST","RequestPath":"/cart/items?id=3","RequestProtocol":"HTTP/1.1","StartUTC":"2024-05-01T10:00:00.5Z","request_User-Agent":"python-requests/2.31","time":"2024-05-01T10:00:00Z"}"#;
        let ex = preset("traefik").unwrap().parse(line).unwrap();
        assert_eq!(ex.method, "POST");
        assert_eq!(ex.path, "/cart/items");
        assert_eq!(ex.host.as_deref(), Some("shop.example.com"));
        assert_eq!(ex.status, Some(404));
        assert_eq!(ex.duration_ms, Some(1.5));
        assert_eq!(ex.user_agent(), Some("python-requests/2.31"));
    }

    #[test]
    fn envoy() {
        let line = br#"{"start_time":"2024-05-01T10:00:00.000Z","method":"GET","path":"/api/orders/7","protocol":"HTTP/1.1","response_code":200,"response_flags":"-","bytes_received":0,"bytes_sent":99,"duration":12,"upstream_service_time":"10","x_forwarded_for":"198.51.100.7","user_agent":"okhttp/4.12","request_id":"abc","authority":"orders.internal:8080","upstream_host":"10.1.2.3:8080","downstream_remote_address":"10.0.0.9:55555"}"#;
        let ex = preset("envoy").unwrap().parse(line).unwrap();
        assert_eq!(ex.client, Some("10.0.0.9".parse().unwrap()));
        assert_eq!(ex.host.as_deref(), Some("orders.internal"));
        assert_eq!(
            ex.request_headers.get("x-forwarded-for"),
            Some("198.51.100.7")
        );
        assert_eq!(ex.duration_ms, Some(12.0));
    }

    #[test]
    fn kong_and_api_gateway() {
        let kong = br#"{"started_at":1714557600000,"client_ip":"192.0.2.4","request":{"method":"DELETE","uri":"/things/9","size":80,"headers":{"host":"api.example.com","x-api-key":"k"}},"response":{"status":204,"size":0},"latencies":{"request":33,"kong":2,"proxy":31}}"#;
        let ex = preset("kong").unwrap().parse(kong).unwrap();
        assert_eq!(ex.method, "DELETE");
        assert_eq!(ex.host.as_deref(), Some("api.example.com"));
        assert_eq!(ex.request_headers.get("x-api-key"), Some("k"));
        let gw = br#"{"requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef","ip":"198.51.100.1","requestTime":"01/May/2024:10:00:00 +0000","requestTimeEpoch":1714557600000,"httpMethod":"GET","resourcePath":"/pets/{petId}","path":"/prod/pets/12","status":"200","protocol":"HTTP/1.1","responseLength":"54","userAgent":"aws-cli/2","domainName":"abc.execute-api.us-east-1.amazonaws.com"}"#;
        let ex = preset("aws-apigw").unwrap().parse(gw).unwrap();
        assert_eq!(ex.path, "/prod/pets/12");
        assert_eq!(ex.status, Some(200));
        assert_eq!(ex.response_size, Some(54));
        assert_eq!(ex.user_agent(), Some("aws-cli/2"));
    }

    #[test]
    fn custom_mapping_from_yaml_and_errors() {
        let m: FieldMapping = serde_saphyr::from_str(
            "name: mine\ntime: {key: t, format: unix_ms}\nmethod: {key: m}\npath: {key: p}\n",
        )
        .unwrap();
        let ex = m.parse(br#"{"t": 1000, "m": "get", "p": "/x"}"#).unwrap();
        assert_eq!(ex.path, "/x");
        let e = m.parse(br#"{"t": 1000, "p": "/x"}"#).unwrap_err();
        assert!(e.reason.contains("`m`"), "{}", e.reason);
        assert!(preset("nope").is_none());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(line in prop::collection::vec(any::<u8>(), 0..300)) {
            for name in NAMES {
                let _ = preset(name).unwrap().parse(&line);
            }
        }
    }
}
