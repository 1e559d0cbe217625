// The copy-paste snippet (ES5, no dependencies). It defines a stub `FluxPlayer` whose
// methods queue their calls and return promises, then loads flux-player.js async; the real
// SDK replays the queue. Replace __FLUX_SCRIPT_URL__ with https://<server>/sdk/v1/flux-player.js.
(function (w, d, u) {
  var f = (w.FluxPlayer = w.FluxPlayer || { q: [] });
  if (f.init) return;
  function stub(path) {
    return function () {
      var args = arguments;
      return new Promise(function (resolve, reject) {
        f.q.push([path, args, resolve, reject]);
      });
    };
  }
  f.init = stub('init');
  f.destroy = stub('destroy');
  f.on = stub('on');
  f.off = stub('off');
  f.Widgets = {
    Calls: {
      startCall: stub('Widgets.Calls.startCall'),
      on: stub('Widgets.Calls.on'),
      off: stub('Widgets.Calls.off'),
    },
  };
  var s = d.createElement('script');
  s.async = true;
  s.src = u;
  d.head.appendChild(s);
})(window, document, '__FLUX_SCRIPT_URL__');
