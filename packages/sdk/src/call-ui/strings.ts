/**
 * Strings of the call UI. English is part of the chunk; other languages are split into
 * their own small files (lang/xx.ts) and fetched when the call UI opens.
 * `{{name}}` is the agent's name.
 */
export const EN_UI = {
  checkTitle: 'Ready for your call?',
  checkHint: 'This is how {{name}} will see you. You can turn the camera off.',
  cameraOn: 'Camera on',
  start: 'Start call',
  cancel: 'Cancel',
  close: 'Close',
  calling: 'Calling {{name}}…',
  callingHint: '{{name}} will be with you in a moment.',
  inCall: 'In a call with {{name}}',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  weak: 'Weak connection',
  weakTip: 'Turning your camera off keeps your voice clear.',
  mute: 'Mute microphone',
  unmute: 'Unmute microphone',
  camOff: 'Turn camera off',
  camOn: 'Turn camera on',
  switchCam: 'Switch camera',
  hangUp: 'Hang up',
  minimise: 'Minimise',
  expand: 'Back to the call',
  products: 'Products in this call',
  addToCart: 'Add to cart',
  unavailable: '{{name}} can’t take your call right now.',
  callOther: 'Call {{name}} instead',
  callbackTitle: 'Leave your details and we will call you back.',
  yourName: 'Your name',
  contact: 'Phone or email',
  note: 'Message (optional)',
  send: 'Request a callback',
  callbackSent: 'Thank you! We will get back to you soon.',
  ended: 'Call ended',
  rate: 'How was your call?',
  stars: '{{n}} of 5',
  thanks: 'Thanks for your feedback!',
  denied: 'Camera and microphone are blocked',
  deniedChrome:
    'Click the camera icon in the address bar, allow camera and microphone, then try again.',
  deniedFirefox:
    'Click the crossed-out camera icon left of the address, clear the block, then try again.',
  deniedSafari:
    'Choose Safari › Settings for This Website, allow Camera and Microphone, then try again.',
  deniedIos:
    'Open the Settings app › Safari › Camera and Microphone, choose Allow, then reload this page.',
  noDevice: 'No camera or microphone was found, or another app is using it.',
  retry: 'Try again',
  failed: 'The call could not be connected.',
  you: 'You',
};

export type UiStrings = typeof EN_UI;
export type UiKey = keyof UiStrings;
