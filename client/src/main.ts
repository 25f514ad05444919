// MapLibre's CSS first: app.css overrides some of it (controls sized for the wall)
import 'maplibre-gl/dist/maplibre-gl.css';
import './common/app.css';
import { mount } from 'svelte';
import App from './App.svelte';
import { restoreSession } from './common/session.svelte.ts';
import './common/test-hook.ts'; // installs window.__zhihui before anything loads

restoreSession();

const target = document.getElementById('app');
if (!target) throw new Error('#app element missing from index.html');

export default mount(App, { target });
