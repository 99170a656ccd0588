/** The shared chat scenario (issue 15) on Slack. */
import { slackDriver } from './drivers/slack.ts';
import { chatScenario } from './scenario.ts';

chatScenario('Slack', slackDriver);
