import me from './me.ts';
import samples from './samples.ts';
import subscribe from './subscribe.ts';
import unsubscribe from './unsubscribe.ts';

export default [me, subscribe, unsubscribe, samples];
