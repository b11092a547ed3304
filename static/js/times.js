// Times in the reader's zone: every <time data-when> carries the exact time in UTC (its
// datetime) and says it in its text; this says it again as a relative time ("2 hours ago",
// « il y a 2 heures ») with the exact time, in the reader's zone, in its title; a deadline
// (data-when="exact") as its date and time in the reader's zone; a day (data-when="day", the
// day something happened to the reader) as its date in the reader's zone. The zone is the
// one on this script's data-tz (a signed-in reader's), else the browser's. Without JavaScript the
// page's own text, in UTC and saying so, stays.
(function () {
  'use strict';

  const root = document.documentElement;
  const zone = document.currentScript ? document.currentScript.dataset.tz : '';
  // English is British here (asmpace/formats): "24 November 2026", not "November 24, 2026".
  const language = !root.lang || root.lang === 'en' ? 'en-GB' : root.lang;
  const units = [
    ['year', 365 * 24 * 3600],
    ['month', 30 * 24 * 3600],
    ['week', 7 * 24 * 3600],
    ['day', 24 * 3600],
    ['hour', 3600],
    ['minute', 60],
    ['second', 1],
  ];

  function formatter(zone, month) {
    return new Intl.DateTimeFormat(language, {
      year: 'numeric', month: month || 'short', day: 'numeric', hour: '2-digit',
      minute: '2-digit', timeZone: zone, timeZoneName: 'short',
    });
  }

  function dayFormatter(zone) {
    return new Intl.DateTimeFormat(language, {
      year: 'numeric', month: 'long', day: 'numeric', timeZone: zone,
    });
  }

  function relative(rtf, seconds) {
    for (const [unit, size] of units) {
      if (Math.abs(seconds) >= size || unit === 'second') {
        return rtf.format(Math.round(seconds / size), unit);
      }
    }
    return '';
  }

  function run() {
    if (!window.Intl || !Intl.RelativeTimeFormat) {
      return;
    }
    let exact;
    let deadline;
    let day;
    try {
      exact = formatter(zone || undefined);
      deadline = formatter(zone || undefined, 'long');
      day = dayFormatter(zone || undefined);
    } catch (error) {
      exact = formatter(undefined); // a zone this browser does not know: its own
      deadline = formatter(undefined, 'long');
      day = dayFormatter(undefined);
    }
    const rtf = new Intl.RelativeTimeFormat(language, { numeric: 'auto' });
    const now = Date.now();
    for (const element of document.querySelectorAll('time[data-when]')) {
      const moment = new Date(element.getAttribute('datetime'));
      if (Number.isNaN(moment.getTime())) {
        continue;
      }
      element.title = exact.format(moment);
      if (element.dataset.when === 'exact') {
        element.textContent = deadline.format(moment); // a deadline: its date, not "in 4 weeks"
      } else if (element.dataset.when === 'day') {
        element.textContent = day.format(moment);
      } else if (element.dataset.when !== 'date') {
        element.textContent = relative(rtf, (moment.getTime() - now) / 1000);
      }
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', run);
  } else {
    run();
  }
})();
