/// The simulator's page on the daemon's web listener (a Mustache template inside the staff site's layout): the
/// buttons to click, their LEDs, the staff alert light, the printer's switches and the last slips drawn from
/// their bytes. It lives with the simulator; the daemon's HTTP layer gets it through `SimulatorControl`.
public enum SimulatorPage {
    public static let template = """
        <p>The kiosk on this computer, without hardware: click a button as a visitor would press it.
        <a href="/sim">Refresh</a></p>
        <section id="kiosk" data-live aria-labelledby="buttons-h">
        <h2 id="buttons-h">Buttons</h2>
        <div class="buttons">
        {{#buttons}}
        <form method="post" action="/sim/press"><input type="hidden" name="_csrf" value="{{csrf}}">
        <input type="hidden" name="button" value="{{id}}">
        <button type="submit" id="press-{{id}}">{{label}}</button>
        <p class="light"><span class="lamp lamp-{{light}}" aria-hidden="true"></span> <span id="led-{{id}}">LED {{light}}</span></p>
        </form>
        {{/buttons}}
        </div>
        <p class="light"><span class="lamp alert-{{alertLight}}" aria-hidden="true"></span> <span id="led-staff-alert">Staff alert light: {{alertLight}}</span></p>
        <p id="sim-counts">{{visits}} visits and {{presses}} presses today; {{slipsPrinted}} slips printed. {{printer}}.</p>
        <ul class="plain">{{#needs}}<li>{{label}}: {{count}}</li>{{/needs}}</ul>
        </section>
        <section aria-labelledby="printer-h">
        <h2 id="printer-h">Printer</h2>
        <form method="post" action="/sim/printer" class="card"><input type="hidden" name="_csrf" value="{{csrf}}">
        <fieldset><legend>The simulated printer is</legend>
        <ul class="checks">{{#printers}}<li><label><input type="radio" name="state" value="{{key}}"{{#checked}} checked{{/checked}}> {{key}}</label></li>{{/printers}}</ul>
        </fieldset>
        <p><button type="submit" id="set-printer">Set the printer</button></p>
        </form>
        </section>
        <section aria-labelledby="clock-h">
        <h2 id="clock-h">Clock</h2>
        <p id="sim-clock">The kiosk's clock: {{clock}}{{#advanced}} ({{advanced}}){{/advanced}}.</p>
        <form method="post" action="/sim/clock" class="card"><input type="hidden" name="_csrf" value="{{csrf}}">
        <fieldset><legend>Move the clock forward (for a demo: a visit ends after a minute without a press)</legend>
        <ul class="checks"><li><label><input type="radio" name="minutes" value="1" checked> 1 minute</label></li>
        <li><label><input type="radio" name="minutes" value="10"> 10 minutes</label></li>
        <li><label><input type="radio" name="minutes" value="60"> 1 hour</label></li>
        <li><label><input type="radio" name="minutes" value="1440"> 1 day</label></li></ul>
        </fieldset>
        <p><button type="submit" id="advance-clock">Move the clock</button></p>
        </form>
        </section>
        <section id="slips" data-live aria-labelledby="slips-h">
        <h2 id="slips-h">Slips printed</h2>
        {{#hasSlips}}{{#slips}}<h3>Slip {{number}}</h3>{{{html}}}{{/slips}}{{/hasSlips}}
        {{^hasSlips}}<p>No slip printed yet.</p>{{/hasSlips}}
        </section>
        """
}
