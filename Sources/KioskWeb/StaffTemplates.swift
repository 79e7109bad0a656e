/// The staff pages' templates (inside the layout of ``HubWeb/WebSite``). Parts marked `data-live` are refreshed by
/// the page's script on server-sent events; without it the Refresh link does the same.
enum StaffTemplates {
    static let all: [String: String] = [
        "today": today, "slip": slip, "reports": reports, "directory": StaffSite.directoryTemplate,
    ]

    static let today = """
        <p><a href="/">Refresh</a></p>
        <section id="alerts" data-live aria-labelledby="alerts-h">
        <h2 id="alerts-h">Alerts</h2>
        {{#hasAlerts}}
        <ul class="plain">{{#alerts}}<li class="alert"><strong>{{text}}.</strong> {{todo}}</li>{{/alerts}}</ul>
        <form method="post" action="/alerts/acknowledge"><input type="hidden" name="_csrf" value="{{csrf}}">
        <button type="submit" class="primary" id="acknowledge">{{#talk}}I am going over: acknowledge{{/talk}}{{^talk}}Acknowledge the alerts{{/talk}}</button></form>
        {{/hasAlerts}}
        {{^hasAlerts}}<p>No alerts. {{printer}}.</p>{{/hasAlerts}}
        </section>
        <section id="counts" data-live aria-labelledby="counts-h">
        <h2 id="counts-h">Visits</h2>
        <div class="grid">
        <p class="card"><span class="big" id="visits-today">{{visits}}</span> visits today ({{day}})</p>
        <p class="card"><span class="big" id="visits-week">{{weekVisits}}</span> visits this week</p>
        <p class="card">{{slipsPrinted}} slips printed today{{#slipsNotPrinted}}, {{slipsNotPrinted}} not printed{{/slipsNotPrinted}}</p>
        </div>
        <div class="table-wrap"><table>
        <caption>Needs asked for</caption>
        <thead><tr><th scope="col">Need</th><th scope="col" class="number">Today</th><th scope="col" class="number">This week</th></tr></thead>
        <tbody>{{#needs}}<tr><th scope="row">{{label}}</th><td class="number">{{today}}</td><td class="number">{{week}}</td></tr>{{/needs}}</tbody>
        </table></div>
        </section>
        <section id="health" data-live aria-labelledby="health-h">
        <h2 id="health-h">Kiosk</h2>
        <dl class="facts">
        <dt>Printer</dt><dd>{{printer}}</dd>
        {{#sync}}<dt>Sync</dt><dd>{{state}}; {{backlog}} waiting; last sent {{lastSuccess}}{{#error}}. Problem: {{error}}{{/error}}{{#todo}}. {{todo}}{{/todo}}</dd>{{/sync}}
        {{#directory}}<dt>Directory</dt><dd>{{services}} services, checked {{checked}}{{#stale}} (out of date){{/stale}}{{#error}}. Problem: {{error}}{{/error}}</dd>{{/directory}}
        </dl>
        </section>
        """

    static let slip = """
        <p>Print a slip for someone at the desk. It counts nothing: visits are counted at the kiosk only.</p>
        <form method="get" action="/slip" class="card">
        <fieldset><legend>Needs on the slip</legend>
        <ul class="checks">{{#needs}}<li><label><input type="checkbox" name="need" value="{{code}}"{{#checked}} checked{{/checked}}> {{label}}</label></li>{{/needs}}</ul>
        </fieldset>
        <p><button type="submit" id="show-needs">Show the slip</button></p>
        </form>
        <form method="get" action="/slip" class="card">
        <h2>Or pick services from the directory</h2>
        <p><label for="q">Find services</label><input id="q" name="q" type="search" value="{{q}}"> <button type="submit">Find</button></p>
        <fieldset><legend>Services on the slip</legend>
        <ul class="checks">{{#services}}<li><label><input type="checkbox" name="service" value="{{id}}"{{#checked}} checked{{/checked}}> {{name}}{{#organization}} ({{organization}}){{/organization}}</label></li>{{/services}}</ul>
        {{#moreServices}}<p class="help">{{moreServices}} more: narrow the search to see them.</p>{{/moreServices}}
        </fieldset>
        <p><button type="submit" id="show-services">Show the slip</button></p>
        </form>
        {{#preview}}
        <h2>Preview</h2>
        <p>Drawn from the bytes the printer will get.</p>
        {{{preview}}}
        <form method="post" action="/slip/print"><input type="hidden" name="_csrf" value="{{csrf}}">
        {{#chosen}}<input type="hidden" name="{{name}}" value="{{value}}">{{/chosen}}
        <button type="submit" class="primary" id="print">Print this slip</button></form>
        {{/preview}}
        """

    static let reports = """
        <section aria-labelledby="weeks-h"><h2 id="weeks-h">Visits per week</h2>
        <figure class="chart">{{{weeksChart}}}</figure>
        <details><summary>The numbers</summary><div class="table-wrap"><table><thead><tr><th scope="col">Week</th><th scope="col" class="number">Visits</th></tr></thead>
        <tbody>{{#weeks}}<tr><td>{{label}}</td><td class="number">{{visits}}</td></tr>{{/weeks}}</tbody></table></div></details>
        </section>
        <section aria-labelledby="needs-h"><h2 id="needs-h">Needs, last 4 weeks</h2>
        <figure class="chart">{{{needsChart}}}</figure>
        <details><summary>The numbers</summary><div class="table-wrap"><table><thead><tr><th scope="col">Need</th><th scope="col" class="number">Visits</th></tr></thead>
        <tbody>{{#needs}}<tr><td>{{label}}</td><td class="number">{{count}}</td></tr>{{/needs}}</tbody></table></div></details>
        </section>
        <section aria-labelledby="hours-h"><h2 id="hours-h">Visits by hour of day, last 4 weeks</h2>
        <figure class="chart">{{{hoursChart}}}</figure>
        <details><summary>The numbers</summary><div class="table-wrap"><table><thead><tr><th scope="col">Hour</th><th scope="col" class="number">Visits</th></tr></thead>
        <tbody>{{#hours}}<tr><td>{{hour}}</td><td class="number">{{visits}}</td></tr>{{/hours}}</tbody></table></div></details>
        </section>
        <section aria-labelledby="export-h"><h2 id="export-h">Export</h2>
        <form method="get" action="/export" class="card">
        <div class="grid">
        <p><label for="from">First day</label><input id="from" name="from" type="date" value="{{from}}"></p>
        <p><label for="to">Last day</label><input id="to" name="to" type="date" value="{{to}}"></p>
        <p><label for="by">Group by</label><select id="by" name="by"><option value="day">Day</option><option value="week" selected>Week</option><option value="month">Month</option><option value="hour">Hour</option></select></p>
        <p><label for="format">Format</label><select id="format" name="format"><option value="csv" selected>CSV (spreadsheet)</option><option value="json">JSON</option></select></p>
        </div>
        <p class="checks"><label><input type="checkbox" name="suppress" id="suppress" checked> Suppress small numbers (counts of 1 to 7 hidden, others rounded to 5): keep this on for anything that leaves the hub</label></p>
        <p><button type="submit" class="primary" id="download">Download</button></p>
        </form>
        </section>
        """
}
