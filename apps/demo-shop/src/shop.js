// Demo-shop behaviour: a cart counter, and a banner line that follows the call widget.
(function () {
  var count = 0;
  var counter = document.getElementById('cart-count');
  function addToCart() {
    count += 1;
    if (counter) counter.textContent = String(count);
  }
  document.addEventListener('click', function (e) {
    var t = e.target;
    if (t instanceof Element && t.closest('button.add')) addToCart();
  });
  // Products added to the cart from inside a call arrive as an event on the placeholder.
  document.addEventListener('flux:add-to-cart', addToCart);
  var status = document.getElementById('demo-status');
  document.addEventListener('flux:rendered', function () {
    if (status)
      status.textContent =
        'An agent is online: the call widget is shown beside the price and in the footer.';
  });
})();
