import { Command } from 'commander';
const program = new Command('eix');
program.description('test');
await program.parseAsync(process.argv);
