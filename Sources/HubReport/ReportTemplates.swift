/// The pages' templates (Mustache, inside HubWeb's layout). `{{value}}` is escaped; `{{{svg}}}` is only the
/// markup of HubWeb's ``SVGChart``, which escapes every text it draws.
enum ReportTemplates {
    static let all: [String: String] = [
        "hubs": hubs, "hub": hub, "charts": charts, "export": export, "enrol": enrol, "enrolled": enrolled,
        "suppression": suppression, "chart": chart,
    ]

    static let suppression = """
        {{#suppression}}
        {{^exact}}<p class="help">Counts are suppressed: 1 to 7 shown as [c], others rounded to the nearest 5.{{#coordinator}} <a href="{{toggle}}">Show exact counts</a>{{/coordinator}}</p>{{/exact}}
        {{#exact}}<p class="alert">Exact counts: for the partnership's own analysis only. <a href="{{toggle}}">Suppress them again</a></p>{{/exact}}
        {{/suppression}}
        """

    static let chart = """
        <section class="card" aria-labelledby="{{id}}-h">
        <h2 id="{{id}}-h">{{title}}</h2>
        <figure class="chart">{{{svg}}}</figure>
        <div class="table-wrap">
        <table>
        <caption>{{title}}: the numbers</caption>
        <thead><tr>{{#headers}}<th scope="col">{{.}}</th>{{/headers}}</tr></thead>
        <tbody>{{#rows}}<tr><th scope="row">{{label}}</th>{{#cells}}<td class="number">{{.}}</td>{{/cells}}</tr>{{/rows}}</tbody>
        </table>
        </div>
        </section>
        """

    static let hubs = """
        {{> suppression}}
        {{#empty}}<p>No hubs yet.{{#coordinator}} <a href="/enrol">Enrol a hub</a>.{{/coordinator}}</p>{{/empty}}
        {{^empty}}
        <div class="table-wrap">
        <table>
        <caption>The partnership's hubs; visits this week (from Monday {{weekStart}})</caption>
        <thead><tr><th scope="col">Hub</th><th scope="col">State</th><th scope="col">Last sync</th>
        <th scope="col">Software</th><th scope="col">Printer</th><th scope="col" class="number">Visits this week</th></tr></thead>
        <tbody>
        {{#hubs}}<tr><th scope="row"><a href="/hubs/{{id}}">{{name}}</a> <span class="help">{{id}}</span></th><td>{{state}}</td><td>{{lastSync}}</td><td>{{version}}</td><td>{{printer}}{{#alerts}} <span class="help">alerts: {{alerts}}</span>{{/alerts}}</td><td class="number">{{week}}</td></tr>
        {{/hubs}}
        </tbody>
        </table>
        </div>
        <p><a href="/charts">Charts across hubs</a></p>
        {{/empty}}
        """

    static let hub = """
        <dl class="facts">
        <dt>Hub id</dt><dd>{{id}}</dd>
        <dt>State</dt><dd>{{state}}</dd>
        <dt>Last sync</dt><dd>{{lastSync}}</dd>
        <dt>Software</dt><dd>{{version}}</dd>
        <dt>Printer</dt><dd>{{printer}}</dd>
        <dt>Open alerts</dt><dd>{{alerts}}</dd>
        <dt>Sync backlog</dt><dd>{{backlog}}</dd>
        </dl>
        {{> suppression}}
        {{#charts}}{{> chart}}{{/charts}}
        <p><a href="/">All hubs</a></p>
        """

    static let charts = """
        <p>The last {{weeks}} weeks of {{hubCount}} hubs.</p>
        {{> suppression}}
        {{#charts}}{{> chart}}{{/charts}}
        """

    static let export = """
        <p>A file of every chosen hub side by side, by period and need. Counts are suppressed unless a coordinator
        asks for exact ones: 1 to 7 shown as [c], others rounded to the nearest 5; the all-hub rows and totals are
        summed exactly, then rounded.</p>
        {{#noHubs}}<p>No hubs yet: there is nothing to export.</p>{{/noHubs}}
        <form method="post" action="/export" class="card">
        <input type="hidden" name="_csrf" value="{{csrf}}">
        <div class="grid">
        <p><label for="from">From (first day)</label><input id="from" name="from" type="date" required value="{{from}}"></p>
        <p><label for="to">To (last day)</label><input id="to" name="to" type="date" required value="{{to}}"></p>
        <p><label for="by">Group by</label><select id="by" name="by">{{#groupings}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/groupings}}</select></p>
        </div>
        <fieldset><legend>Format</legend>
        <ul class="checks">
        <li><label><input type="radio" name="format" value="csv"{{#csv}} checked{{/csv}}> CSV (spreadsheets)</label></li>
        <li><label><input type="radio" name="format" value="json"{{#json}} checked{{/json}}> JSON</label></li>
        </ul></fieldset>
        <fieldset><legend>Hubs</legend>
        <ul class="checks">{{#hubs}}<li><label><input type="checkbox" name="hub" value="{{id}}"{{#checked}} checked{{/checked}}> {{name}}</label></li>{{/hubs}}</ul>
        </fieldset>
        {{#coordinator}}
        <fieldset><legend>Exact counts (coordinators only; written to the audit log)</legend>
        <ul class="checks">
        <li><label><input type="checkbox" name="exact" value="yes"{{#exact}} checked{{/exact}}> Exact counts, without suppression</label></li>
        <li><label><input type="checkbox" name="confirm" value="yes"> The file stays inside the partnership: it is not for funders or the public</label></li>
        </ul></fieldset>
        {{/coordinator}}
        <p><button type="submit" class="primary">Download the export</button></p>
        </form>
        """

    static let enrol = """
        <p>Makes a one-time enrolment code for a hub's kiosk (valid for 24 hours, for one kiosk). For an existing
        hub, a new code replaces its unused ones; enrolling with it replaces the hub's kiosk.</p>
        <form method="post" action="/enrol" class="card narrow">
        <input type="hidden" name="_csrf" value="{{csrf}}">
        <p><label for="id">Hub id</label>
        <input id="id" name="id" required autocapitalize="none" value="{{id}}" aria-describedby="id-help">
        <span id="id-help" class="help">The kiosk's [hub] id: a-z, 0-9, - and _, like leith-library</span></p>
        <p><label for="name">Hub name</label>
        <input id="name" name="name" required value="{{name}}" aria-describedby="name-help">
        <span id="name-help" class="help">As pages and exports show it</span></p>
        <p><button type="submit" class="primary">Make an enrolment code</button></p>
        </form>
        """

    static let enrolled = """
        <p class="notice" role="status">Hub {{name}} ({{id}}): its enrolment code is shown once, here. Write it
        down or copy it now.</p>
        <dl class="facts">
        <dt>Enrolment code</dt><dd><strong><code>{{code}}</code></strong></dd>
        <dt>Valid until</dt><dd>{{expires}}</dd>
        </dl>
        <h2>On the kiosk</h2>
        <p>Type this (add <code>--pin sha256/…</code> or <code>--ca FILE</code> for HTTPS):</p>
        <p><code class="command">{{command}}</code></p>
        <p><a href="/">Back to the hubs</a></p>
        """
}
