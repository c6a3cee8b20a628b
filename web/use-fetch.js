// A view's data from this peer: fetched on show, on demand, and every `everyMs` if given.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { errorText, getJson } from './api.js';

export function useFetch(path, everyMs) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const reload = useCallback(async () => {
    setState((s) => ({ ...s, loading: true }));
    try {
      const data = await getJson(path);
      setState({ data, error: null, loading: false });
    } catch (err) {
      setState((s) => ({ ...s, error: errorText(err), loading: false }));
    }
  }, [path]);
  useEffect(() => {
    void reload();
    if (!everyMs) return undefined;
    const timer = setInterval(() => document.visibilityState === 'visible' && void reload(), everyMs);
    return () => clearInterval(timer);
  }, [reload, everyMs]);
  return { ...state, reload };
}
