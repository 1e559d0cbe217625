/** Admin: channel name, ring timeout, misses before offline, opening hours. */
import { useEffect, useState } from 'preact/hooks';
import type { ChannelSettings, OpeningHours } from '@flux/protocol';
import { api } from '../../api/api.ts';
import { errorMessage } from '../../api/http.ts';
import { check, integerBetween, maxLength, parseHourRanges, required } from '../../lib/validate.ts';
import { channel } from '../../state/session.ts';
import { toast } from '../../state/toast.ts';
import { Button } from '../../ui/Button.tsx';
import { Field, TextField } from '../../ui/Field.tsx';
import { Loading, PageHead } from '../../ui/misc.tsx';
import { fire } from '../../ui/fire.ts';
import { useSubmit } from '../../ui/useSubmit.ts';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const ORDER = [1, 2, 3, 4, 5, 6, 0];

function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return 'UTC';
  }
}

export function ChannelSettingsPage() {
  const [loaded, setLoaded] = useState<{ name: string; settings: ChannelSettings } | null>(null);
  useEffect(() => {
    api.admin.settings().then(setLoaded, (err: unknown) => toast(errorMessage(err), 'error'));
  }, []);
  if (!loaded) return <Loading />;
  return <SettingsForm initial={loaded} onSaved={setLoaded} />;
}

function SettingsForm({
  initial,
  onSaved,
}: {
  initial: { name: string; settings: ChannelSettings };
  onSaved: (s: { name: string; settings: ChannelSettings }) => void;
}) {
  const s = initial.settings;
  const [name, setName] = useState(initial.name);
  const [ring, setRing] = useState(String(s.ringTimeoutSeconds));
  const [misses, setMisses] = useState(String(s.missesBeforeOffline));
  const [alwaysOpen, setAlwaysOpen] = useState(s.openingHours === null);
  const [zone, setZone] = useState(s.openingHours?.timezone ?? browserZone());
  const [days, setDays] = useState<Record<string, string>>(() => {
    const out: Record<string, string> = {};
    for (let d = 0; d < 7; d++) {
      const r = s.openingHours?.days[String(d)];
      out[d] = r ? r.join(', ') : s.openingHours ? '' : d === 0 || d === 6 ? '' : '09:00-18:00';
    }
    return out;
  });
  const form = useSubmit({ formErrorTo: 'toast' });
  const server = form.fieldErrors;
  const errors: Record<string, string | null> = {
    name: server.name ?? check(name, required('Name'), maxLength(100)),
    ringTimeoutSeconds:
      server.ringTimeoutSeconds ?? check(ring, required('Ring timeout'), integerBetween(5, 300)),
    missesBeforeOffline:
      server.missesBeforeOffline ?? check(misses, required('Misses'), integerBetween(1, 100)),
    timezone: alwaysOpen ? null : check(zone, required('Time zone'), maxLength(64)),
  };
  const dayErrors: Record<string, string | null> = {};
  for (const d of ORDER) {
    const r = parseHourRanges(days[d] ?? '');
    dayErrors[d] = alwaysOpen ? null : 'error' in r ? r.error : null;
  }
  const invalid = Object.values(errors).some(Boolean) || Object.values(dayErrors).some(Boolean);
  return (
    <form
      noValidate
      onSubmit={fire(async (e) => {
        e.preventDefault();
        if (invalid) return;
        let openingHours: OpeningHours | null = null;
        if (!alwaysOpen) {
          const out: Record<string, string[]> = {};
          for (const d of ORDER) {
            const r = parseHourRanges(days[d] ?? '');
            if ('ranges' in r && r.ranges.length) out[String(d)] = r.ranges;
          }
          openingHours = { timezone: zone.trim(), days: out };
        }
        await form.submit(async () => {
          const res = await api.admin.updateSettings({
            name: name.trim(),
            ringTimeoutSeconds: Number(ring),
            missesBeforeOffline: Number(misses),
            openingHours,
          });
          onSaved(res);
          if (channel.value)
            channel.value = { ...channel.value, name: res.name, settings: res.settings };
          toast('Channel settings saved.');
        });
      })}
    >
      <PageHead title="Channel settings" sub={`Channel ID: ${channel.value?.slug ?? ''}`}>
        <Button type="submit" variant="primary" busy={form.busy} disabled={invalid}>
          Save settings
        </Button>
      </PageHead>
      <div class="grid-2">
        <section class="card">
          <div class="card-head">
            <h3>Calls</h3>
          </div>
          <div class="card-body stack">
            <TextField
              label="Shop name"
              value={name}
              onValue={(v) => {
                setName(v);
                form.clearFields();
              }}
              error={errors.name}
            />
            <TextField
              label="Ring timeout (seconds)"
              name="ringTimeoutSeconds"
              inputMode="numeric"
              value={ring}
              onValue={(v) => {
                setRing(v);
                form.clearFields();
              }}
              error={errors.ringTimeoutSeconds}
              hint="How long a call rings before it counts as missed (5–300)."
            />
            <TextField
              label="Missed calls before going offline"
              name="missesBeforeOffline"
              inputMode="numeric"
              value={misses}
              onValue={(v) => {
                setMisses(v);
                form.clearFields();
              }}
              error={errors.missesBeforeOffline}
              hint="After this many misses in a row an agent is set offline and told why (1–100)."
            />
          </div>
        </section>
        <section class="card">
          <div class="card-head">
            <h3>Opening hours</h3>
          </div>
          <div class="card-body stack">
            <label class="checkbox">
              <input
                type="checkbox"
                checked={alwaysOpen}
                onChange={(e) => setAlwaysOpen(e.currentTarget.checked)}
              />
              Always open (agents online can be called at any time)
            </label>
            {!alwaysOpen ? (
              <>
                <Field
                  label="Time zone"
                  error={errors.timezone}
                  hint="IANA name, e.g. Europe/Berlin."
                >
                  {(ids) => (
                    <input
                      class="input"
                      {...ids}
                      value={zone}
                      list="zones"
                      onInput={(e) => setZone(e.currentTarget.value)}
                    />
                  )}
                </Field>
                <datalist id="zones">
                  {[
                    'UTC',
                    'Europe/Berlin',
                    'Europe/London',
                    'Europe/Paris',
                    'America/New_York',
                    'America/Los_Angeles',
                    'Asia/Tokyo',
                    browserZone(),
                  ].map((z) => (
                    <option key={z} value={z} />
                  ))}
                </datalist>
                <div class="hours-grid">
                  {ORDER.map((d) => (
                    <>
                      <label for={`day-${d}`} style={{ fontWeight: 560 }}>
                        {DAYS[d]}
                      </label>
                      <div class="field">
                        <input
                          id={`day-${d}`}
                          class="input"
                          placeholder="Closed"
                          value={days[d] ?? ''}
                          aria-invalid={dayErrors[d] ? 'true' : undefined}
                          onInput={(e) => setDays({ ...days, [d]: e.currentTarget.value })}
                        />
                        {dayErrors[d] ? <div class="field-error">{dayErrors[d]}</div> : null}
                      </div>
                    </>
                  ))}
                </div>
                <p class="small muted">
                  Ranges like 09:00-12:30, 13:30-18:00. Leave a day empty when closed.
                </p>
                {server.openingHours ? <div class="field-error">{server.openingHours}</div> : null}
              </>
            ) : null}
          </div>
        </section>
      </div>
    </form>
  );
}
