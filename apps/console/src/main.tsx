import { render } from 'preact';
import './styles/index.css';
import { App } from './app/App.tsx';
import { loadSession } from './state/session.ts';

void loadSession();
const root = document.getElementById('app');
if (root) render(<App />, root);
