/// The templates every site shares: the layout around each page, sign-in, setup and errors. Mustache escapes
/// `{{value}}` for HTML; `{{{value}}}` is used only for markup the server built itself (charts, receipts).
enum SiteTemplates {
    static let shared: [String: String] = [
        "layout": layout, "login": login, "setup": setup, "error": error,
    ]

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · {{site}}</title>
        <link rel="stylesheet" href="/static/site.css">
        <script src="/static/live.js" defer></script>
        </head>
        <body{{#events}} data-events="{{events}}"{{/events}}>
        <a class="skip" href="#main">Skip to the content</a>
        <header class="top">
        <p class="site">{{site}}</p>
        {{#user}}
        <nav aria-label="Pages"><ul>{{#nav}}<li><a href="{{path}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a></li>{{/nav}}</ul></nav>
        <form method="post" action="/logout" class="signout"><input type="hidden" name="_csrf" value="{{csrf}}"><span>{{user}} ({{role}})</span> <button type="submit">Sign out</button></form>
        {{/user}}
        </header>
        <main id="main" tabindex="-1">
        <h1>{{title}}</h1>
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        {{{body}}}
        </main>
        </body>
        </html>
        """

    static let login = """
        <form method="post" action="/login" class="card narrow">
        <input type="hidden" name="next" value="{{next}}">
        <p><label for="name">Name</label>
        <input id="name" name="name" autocomplete="username" autocapitalize="none" required value="{{name}}"></p>
        <p><label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required></p>
        <p><button type="submit" class="primary">Sign in</button></p>
        </form>
        <p>First time here, or a new code? <a href="/setup">Set a password with a setup code</a>.</p>
        """

    static let setup = """
        {{#open}}
        <p>Type the setup code (on the slip the kiosk printed, or from the coordinator), then choose your password.
        A code works once, for 30 minutes.</p>
        <form method="post" action="/setup" class="card narrow">
        <p><label for="code">Setup code</label>
        <input id="code" name="code" autocomplete="off" autocapitalize="characters" required
         aria-describedby="code-help"><span id="code-help" class="help">Like ABCD-EFGH-JKLM</span></p>
        <p><label for="name">Your name (to sign in with)</label>
        <input id="name" name="name" autocomplete="username" autocapitalize="none" value="{{name}}"
         aria-describedby="name-help"><span id="name-help" class="help">Letters, digits and . - _ @; not needed if the code was made for you</span></p>
        <p><label for="password">New password</label>
        <input id="password" name="password" type="password" autocomplete="new-password" required minlength="10"
         aria-describedby="password-help"><span id="password-help" class="help">At least 10 characters: a few words together is easy to remember</span></p>
        <p><label for="password2">The same password again</label>
        <input id="password2" name="password2" type="password" autocomplete="new-password" required></p>
        <p><button type="submit" class="primary">Set password and sign in</button></p>
        </form>
        {{/open}}
        {{^open}}
        <p>No setup code is open at the moment. {{hint}}</p>
        <p><a href="/login">Back to sign in</a></p>
        {{/open}}
        """

    static let error = """
        <p class="error" role="alert">{{message}}</p>
        <p><a href="/">Go to the first page</a></p>
        """
}

/// The style sheet and the one small script every site serves (no framework, nothing from another site).
enum SiteAssets {
    static let css = """
        :root { --ink: #1b1b1b; --paper: #ffffff; --muted: #4a4a4a; --accent: #0b5cad; --accent-ink: #ffffff;
          --warn: #8a1c00; --ok: #1d5e20; --line: #767676; --soft: #f1f4f8; }
        * { box-sizing: border-box; }
        html { font-size: 112.5%; }
        body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
          background: var(--paper); line-height: 1.5; }
        a { color: var(--accent); }
        a:focus, button:focus, input:focus, select:focus, textarea:focus, summary:focus, main:focus-visible {
          outline: 3px solid #ffbf47; outline-offset: 2px; }
        main:focus { outline: none; }
        .skip { position: absolute; left: -999px; top: 0; background: var(--paper); padding: .5rem; }
        .skip:focus { left: .5rem; }
        header.top { background: #12325a; color: #fff; padding: .5rem 1rem; display: flex; flex-wrap: wrap;
          gap: .5rem 1.5rem; align-items: center; }
        header.top a { color: #fff; }
        header.top .site { font-weight: 700; margin: 0; }
        header.top nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: 0; padding: 0; }
        header.top nav a { display: inline-block; padding: .5rem .25rem; min-height: 44px; }
        header.top nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
        header.top .signout { margin-left: auto; display: flex; gap: .5rem; align-items: center; }
        header.top .signout button { background: #fff; color: #12325a; }
        main { max-width: 62rem; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.75rem; margin: .5rem 0 1rem; }
        h2 { font-size: 1.35rem; margin: 1.5rem 0 .5rem; }
        label { display: block; font-weight: 600; }
        input, select, textarea { font: inherit; padding: .5rem; border: 2px solid var(--line); border-radius: 4px;
          max-width: 100%; min-height: 44px; }
        input[type="checkbox"], input[type="radio"] { min-height: 0; width: 1.4rem; height: 1.4rem; }
        textarea { width: 100%; }
        button, .button { font: inherit; font-weight: 600; min-height: 48px; min-width: 48px; padding: .5rem 1rem;
          border: 2px solid var(--accent); border-radius: 6px; background: var(--paper); color: var(--accent);
          cursor: pointer; display: inline-block; text-decoration: none; }
        button.primary, .button.primary { background: var(--accent); color: var(--accent-ink); }
        button.danger { border-color: var(--warn); color: var(--warn); }
        .help { display: block; color: var(--muted); font-size: .9rem; }
        .card { border: 1px solid var(--line); border-radius: 8px; padding: 1rem; margin: 0 0 1rem; }
        .narrow { max-width: 28rem; }
        .notice { background: #e6f4ea; border-left: 6px solid var(--ok); padding: .75rem; }
        .error { background: #fdecea; border-left: 6px solid var(--warn); padding: .75rem; }
        .alert { background: #fff4e5; border-left: 6px solid #b35c00; padding: .75rem; margin: .5rem 0; }
        .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 1rem; }
        .checks { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; }
        .checks label { display: flex; gap: .5rem; align-items: center; font-weight: 400; min-height: 44px; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid #c8c8c8; vertical-align: top;
          overflow-wrap: anywhere; }
        input[type="file"], select { width: 100%; max-width: 28rem; }
        fieldset { min-width: 0; max-width: 100%; }
        td input:not([type="checkbox"]) { width: 100%; min-width: 4.5rem; }
        td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
        .table-wrap { overflow-x: auto; }
        figure.chart { margin: 0 0 1rem; }
        figure.chart svg { width: 100%; height: auto; max-height: 22rem; }
        figcaption { font-weight: 600; }
        .receipt { background: #fffdf6; color: #111; font-family: "DejaVu Sans Mono", monospace;
          border: 1px solid #bbb; box-shadow: 0 2px 6px #0003; padding: 1rem .75rem; width: 100%; max-width: 24rem;
          margin: 0 0 1rem; overflow-x: auto; }
        .receipt p { margin: 0; white-space: pre-wrap; word-break: break-word; min-height: 1.2em; }
        .receipt .bold { font-weight: 700; }
        .receipt .under { text-decoration: underline; }
        .receipt .wide { letter-spacing: .45em; }
        .receipt .tall { font-size: 1.6em; line-height: 1.2; }
        .receipt .center { text-align: center; }
        .receipt .right { text-align: right; }
        .receipt .cut { border-top: 2px dashed #888; margin: .5rem 0; height: 0; }
        .receipt svg { display: block; margin: .25rem auto; width: 9rem; height: 9rem; }
        .receipt .center svg, .receipt .image { text-align: center; }
        .lights { display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; padding: 0; }
        .light { display: flex; align-items: center; gap: .5rem; }
        .lamp { width: 1.5rem; height: 1.5rem; border-radius: 50%; border: 2px solid #333; background: #ddd; }
        .lamp.on, .lamp.blink-slow, .lamp.blink-fast, .lamp.pulse { background: #19a319; }
        .lamp.alert-on { background: #d01c1c; }
        .buttons { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: 1rem; }
        .buttons button { min-height: 5rem; font-size: 1.2rem; width: 100%; }
        .inline { display: inline; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
        dl.facts dt { font-weight: 600; }
        dl.facts dd { margin: 0; }
        @media (max-width: 30rem) { html { font-size: 106%; } main { padding: .75rem; } header.top .signout { margin-left: 0; } }
        """

    /// Live updates where the page asks for them (`data-events` on `<body>`): on each server-sent event, the
    /// page is fetched again and every element with `data-live` replaced by its new version. Without it (or
    /// without JavaScript) the page is the same, and its Refresh link works.
    static let liveScript = """
        (function () {
          "use strict";
          var source = document.body.getAttribute("data-events");
          if (!source || !window.EventSource || !window.fetch || !window.DOMParser) { return; }
          var busy = false, again = false;
          function refresh() {
            if (busy) { again = true; return; }
            busy = true;
            fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html", "X-Live-Refresh": "1" } })
              .then(function (response) { return response.ok ? response.text() : null; })
              .then(function (text) {
                if (!text) { return; }
                var fresh = new DOMParser().parseFromString(text, "text/html");
                document.querySelectorAll("[data-live]").forEach(function (element) {
                  var replacement = fresh.getElementById(element.id);
                  if (replacement && replacement.innerHTML !== element.innerHTML) {
                    element.innerHTML = replacement.innerHTML;
                  }
                });
              })
              .catch(function () {})
              .then(function () { busy = false; if (again) { again = false; refresh(); } });
          }
          var events = new EventSource(source);
          events.onmessage = refresh;
        })();
        """
}
