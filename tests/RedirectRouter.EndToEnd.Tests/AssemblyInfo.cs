using RedirectRouter.TestSupport;

[assembly: AssemblyFixture(typeof(NamespaceLeakGuard))]
